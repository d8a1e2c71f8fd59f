"""Template filters of Parcours's pages."""

from types import SimpleNamespace

from django import template

from parcours.people import event_kinds

register = template.Library()


@register.filter
def nir_display(value: str) -> str:
    """A NIR grouped as printed on a carte Vitale: '2 85 05 59 350 123 45'."""
    nir = (value or "").replace(" ", "")
    if len(nir) not in (13, 15):
        return value
    groups = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:15]]
    return " ".join(group for group in groups if group)


@register.inclusion_tag("dsfr/pagination.html", takes_context=True)
def pagination(context, page_obj, **params):
    """django-dsfr's pagination, with page numbers and ellipses (1 … 4 5 6 7 8 … 29).

    The links keep the page's query string; `params` add to it or replace parameters (for a
    page answering a POST, whose own query string does not name what it shows)."""
    page_obj.pages_list = list(
        page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    )
    request = context["request"]
    if params:
        query = request.GET.copy()
        for name, value in params.items():
            query[name] = value
        # django-dsfr's template reads only `request.GET` (its `url_remplace_params` tag).
        request = SimpleNamespace(GET=query)
    return {"request": request, "page_obj": page_obj}


@register.filter
def event_label(kind: str) -> str:
    """The French label of a pathway event kind (`rsa.cloture` → « Clôture du droit au RSA »)."""
    return event_kinds.label(kind)


@register.filter
def event_details(event) -> str:
    """What a pathway event's data says, in French (dates dd/mm/yyyy, orientation labels)."""
    return event_kinds.details(event.kind, event.data)


@register.filter
def event_source(source: str) -> str:
    """The French name of an event's source (`cnaf` → « Flux CNAF »)."""
    return event_kinds.source_label(source)
