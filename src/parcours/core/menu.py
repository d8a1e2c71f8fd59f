"""The main menu, gathered from the apps: an AppConfig may define `menu_items`,
a list of (label, url name, roles or None for every agent role but the employers')."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from parcours.accounts.models import Role


def menu_for(request) -> list[dict]:
    agent = request.user
    if not agent.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "menu_items", []):
            if roles is None and agent.role == Role.EMPLOYEUR:
                continue  # employers reach only the entries made for them
            if roles is not None and agent.role not in roles and not _administrator_sees(agent, roles):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return items


def _administrator_sees(agent, roles: list[str]) -> bool:
    """Administrators see every entry but the employers' own portal."""
    return agent.is_administrator and list(roles) != [Role.EMPLOYEUR]
