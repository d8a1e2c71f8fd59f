"""The main menu, gathered from the apps: an AppConfig may define `menu_items`,
a list of (label, url name, roles or None for every role)."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def menu_for(request) -> list[dict]:
    agent = request.user
    if not agent.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for label, url_name, roles in getattr(config, "menu_items", []):
            if roles is not None and agent.role not in roles and not agent.is_administrator:
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            items.append({"label": label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return items
