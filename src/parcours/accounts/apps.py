from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = "Agents et organisations"

    menu_group = "Administration"  # `core.menu`
    menu_items = [("Administration", "administration:agents", "may_administer")]
