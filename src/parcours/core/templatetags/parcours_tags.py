"""Template filters of Parcours's pages."""

from types import SimpleNamespace

from django import template

from parcours.people import event_kinds
from parcours.people.nir import group_nir, mask_nir

register = template.Library()


@register.filter
def nir_display(value: str) -> str:
    """A NIR grouped as printed on a carte Vitale: '2 85 05 59 350 123 45'. Pages showing a
    person's NIR use `nir_for`, which masks it for agents who may not see it whole."""
    return group_nir(value)


@register.filter
def nir_for(value: str, agent) -> str:
    """The NIR as `agent` may see it: whole and grouped if `agent.may_see_full_nir`, else masked
    ('1 84 ** ** *** *** 42'). Without an agent (a letter, a message), always masked."""
    if agent is not None and getattr(agent, "may_see_full_nir", False):
        return group_nir(value)
    return mask_nir(value)


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
