"""The main menu, gathered from the apps: an AppConfig may define `menu_items`, a list of
(label, url name, permission) where the permission is the name of an `Agent` predicate
(`may_import`, …; see `parcours.accounts.permissions`), the same one its view asks."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from parcours.accounts.permissions import allows


def menu_for(request) -> list[dict]:
    agent = request.user
    if not agent.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for label, url_name, permission in getattr(config, "menu_items", []):
            if not allows(agent, permission):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": False})
    # The entry of the current page is the one whose address is the longest prefix of the path
    # ("Mes actions", /accompagnements/global/mes-actions/, rather than "Accompagnements").
    matching = [item for item in items if item["url"] != "/" and request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return items
