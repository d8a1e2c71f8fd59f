"""Administration screens of the trays and routing rules (administrators: `may_administer_trays`).

No person is shown here. The operations and forms are in `reception.admin_screens`.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.accounts.permissions import agent_may
from parcours.core import audit
from parcours.core.models import AuditAction
from parcours.reception import admin_screens
from parcours.reception.admin_screens import MemberForm, RoutingRuleForm, ServiceLevelsForm, TrayForm
from parcours.reception.models import RoutingRule, Tray
from parcours.reception.models.trays import OPEN_STATES

REFUSAL = "L'administration des bannettes est réservée aux administrateurs."


def _departement():
    from parcours.territory.models import Departement

    departement = Departement.objects.current()
    if departement is None:
        raise Http404("Le département n'est pas chargé.")
    return departement


@agent_may("may_administer_trays", REFUSAL)
def trays(request):
    """Every tray of the département (open ones first) and the form to create one."""
    departement = _departement()
    form = TrayForm(request.POST or None)
    form.fields["unit"].queryset = departement.units.order_by("name")
    if request.method == "POST" and form.is_valid():
        tray = form.save(commit=False)
        tray.departement = departement
        tray.save()
        audit.record(request.user, AuditAction.CREATE, request=request, tray=tray.pk)
        messages.success(request, f"Bannette « {tray.name} » créée : ajoutez-lui des membres.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    listed = (
        Tray.objects.filter(departement=departement)
        .select_related("unit", "organisation")
        .annotate(
            member_count=Count("members", distinct=True),
            open_count=Count("items", filter=Q(items__state__in=OPEN_STATES), distinct=True),
        )
        .order_by("-active", "name")
    )
    return render(
        request,
        "reception/admin_trays.html",
        {"title": "Administration des bannettes", "trays": listed, "form": form},
    )


@agent_may("may_administer_trays", REFUSAL)
def tray(request, tray_id: int):
    """A tray: its name and service, its members and managers, its service levels. Each form
    posts its `form` name."""
    tray = get_object_or_404(Tray.objects.select_related("unit", "departement"), pk=tray_id)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    data = request.POST if which else None
    tray_form = TrayForm(data if which == "tray" else None, instance=tray)
    tray_form.fields["unit"].queryset = tray.departement.units.order_by("name")
    member_form = MemberForm(data if which == "member" else None, tray=tray)
    levels_form = ServiceLevelsForm(data if which == "levels" else None, tray=tray)
    agent = request.user
    if which == "tray" and tray_form.is_valid():
        tray_form.save()
        audit.record(agent, AuditAction.UPDATE, request=request, tray=tray.pk, change="tray")
        messages.success(request, "Bannette enregistrée.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    if which == "member" and member_form.is_valid():
        admin_screens.add_member(
            tray,
            member_form.cleaned_data["agent"],
            is_manager=member_form.cleaned_data["is_manager"],
            agent=agent,
            request=request,
        )
        messages.success(request, "Membre ajouté.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    if which == "levels" and levels_form.is_valid():
        levels_form.save(agent, request=request)
        messages.success(request, "Niveaux de service enregistrés.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    if which in {"remove", "manager"}:
        member_id = request.POST.get("member", "")
        if member_id.isdigit():
            operation = admin_screens.remove_member if which == "remove" else admin_screens.toggle_manager
            operation(tray, int(member_id), agent=agent, request=request)
            messages.success(request, "Membres mis à jour.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    if which == "reopen":
        admin_screens.set_tray_active(tray, True, agent=agent, request=request)
        messages.success(request, "Bannette rouverte.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    context = {
        "title": f"Bannette « {tray.name} »",
        "tray": tray,
        "tray_form": tray_form,
        "member_form": member_form,
        "levels_form": levels_form,
        "members": tray.members.select_related("agent").order_by("agent__last_name", "agent__first_name"),
    }
    return render(request, "reception/admin_tray.html", context)


@agent_may("may_administer_trays", REFUSAL)
def close_tray(request, tray_id: int):
    """Ask for a confirmation, then close the tray (it receives nothing more)."""
    tray = get_object_or_404(Tray, pk=tray_id)
    if request.method == "POST":
        admin_screens.set_tray_active(tray, False, agent=request.user, request=request)
        messages.success(request, f"Bannette « {tray.name} » fermée.")
        return redirect("reception:admin_tray", tray_id=tray.pk)
    open_count = tray.items.open().count()
    rules = RoutingRule.objects.filter(tray=tray, active=True).count()
    return render(
        request,
        "reception/admin_tray_close.html",
        {
            "title": f"Fermer la bannette « {tray.name} »",
            "tray": tray,
            "open_count": open_count,
            "rules": rules,
        },
    )


@agent_may("may_administer_trays", REFUSAL)
def rules(request):
    """The routing rules in their order (first match wins) and the form to add one at the end."""
    departement = _departement()
    form = RoutingRuleForm(request.POST or None, departement=departement)
    if request.method == "POST" and form.is_valid():
        rule = form.save()
        audit.record(request.user, AuditAction.CREATE, request=request, rule=rule.pk)
        messages.success(request, f"Règle « {rule.label} » ajoutée en fin de liste.")
        return redirect("reception:admin_rules")
    listed = RoutingRule.objects.filter(departement=departement).select_related("theme", "unit", "tray")
    return render(
        request,
        "reception/admin_rules.html",
        {"title": "Règles d'orientation", "rules": listed, "form": form},
    )


@agent_may("may_administer_trays", REFUSAL)
def rule(request, rule_id: int):
    """Edit a rule (uncheck « active » to deactivate it)."""
    rule = get_object_or_404(RoutingRule.objects.select_related("departement"), pk=rule_id)
    form = RoutingRuleForm(request.POST or None, instance=rule, departement=rule.departement)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request.user, AuditAction.UPDATE, request=request, rule=rule.pk)
        messages.success(request, "Règle enregistrée.")
        return redirect("reception:admin_rules")
    return render(
        request, "reception/admin_rule.html", {"title": f"Règle « {rule.label} »", "rule": rule, "form": form}
    )


@agent_may("may_administer_trays", REFUSAL)
@require_POST
def move_rule(request, rule_id: int):
    rule = get_object_or_404(RoutingRule.objects.select_related("departement"), pk=rule_id)
    direction = request.POST.get("direction", "")
    if direction in {"monter", "descendre"}:
        admin_screens.move_rule(rule, direction, agent=request.user, request=request)
    return redirect("reception:admin_rules")
