"""The main menu, gathered from the apps: an AppConfig may define `menu_items`, a list of
(label, url name, permission[, group]) where the permission is the name of an `Agent` predicate
(`may_import`, …; see `parcours.accounts.permissions`), the same one its view asks, and the group
the entry belongs to (default: the AppConfig's `menu_group`; none for a top-level entry).

An agent who sees few entries (`FLAT_LIMIT`) gets them side by side. Beyond, the entries are
gathered by group into DSFR sub-menus (a button opening the group's links; a group of one entry
stays a plain link), in the order of `GROUPS`, so that an administrator's thirty entries fit on
one line."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from parcours.accounts.permissions import allows

FLAT_LIMIT = 8
GROUPS = ("Personnes", "Premier accueil", "Emploi", "Aides", "Annuaire", "Indicateurs", "Administration")


def _entries(request) -> list[dict]:
    agent = request.user
    entries = []
    for config in apps.get_app_configs():
        for item in getattr(config, "menu_items", []):
            label, url_name, permission = item[:3]
            group = item[3] if len(item) > 3 else getattr(config, "menu_group", None)
            if not allows(agent, permission):
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            entries.append({"label": label, "url": url, "active": False, "group": group})
    # The entry of the current page is the one whose address is the longest prefix of the path
    # ("Mes actions", /accompagnements/global/mes-actions/, rather than "Accompagnements").
    matching = [entry for entry in entries if entry["url"] != "/" and request.path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return entries


def menu_for(request) -> list[dict]:
    """The menu's top-level entries: links {"label", "url", "active"} and groups {"label",
    "children": [links], "active", "id"}."""
    if not request.user.is_authenticated:
        return []
    entries = _entries(request)
    if len(entries) <= FLAT_LIMIT:
        return [{**entry, "children": []} for entry in entries]
    top: list[dict] = []
    groups: dict[str, dict] = {}
    for entry in entries:
        group = entry["group"]
        if group is None:
            top.append({**entry, "children": []})
            continue
        if group not in groups:
            groups[group] = {"label": group, "children": [], "active": False}
        groups[group]["children"].append(entry)
        groups[group]["active"] |= entry["active"]
    order = {name: position for position, name in enumerate(GROUPS)}
    for position, group in enumerate(
        sorted(groups.values(), key=lambda g: order.get(g["label"], len(order)))
    ):
        if len(group["children"]) == 1:
            top.append({**group["children"][0], "children": []})
        else:
            top.append({**group, "url": "", "id": f"menu-groupe-{position}"})
    return top


def flat(menu: list[dict]) -> list[dict]:
    """Every link of a menu, groups opened (for tests and for the mobile menu's readers)."""
    return [link for entry in menu for link in (entry["children"] or [entry])]
