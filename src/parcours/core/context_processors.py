from django.conf import settings

from parcours.core.menu import menu_for


def site(request):
    """What the DSFR templates call SITE_CONFIG, from settings instead of a database row."""
    return {
        "SITE_CONFIG": {
            "site_title": "Parcours",
            "site_tagline": f"Solidarités et insertion — département {settings.PARCOURS_DEPARTEMENT}",
            "header_brand_html": "Département<br />du Nord"
            if settings.PARCOURS_DEPARTEMENT == "59"
            else "Département",
            "footer_brand_html": "Département",
            "beta_tag": True,
            "footer_description": "Parcours, logiciel libre (AGPL-3.0-or-later) des solidarités départementales.",
        },
        "PARCOURS_DEMO": settings.PARCOURS_DEMO,
        "main_menu": menu_for(request),
    }
