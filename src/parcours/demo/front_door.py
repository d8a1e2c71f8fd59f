"""The demo's front door: trays, routing rules, stations and three months of contacts replayed
through the product's workflows.

`simulate_front_door()` is what `parcours demo-front-door` runs (after `demo-accompaniment`). It
writes the configuration an administrator would enter (the trays of the 8 units × services, the
département's CRIP, two partner CCAS with their charter signatures, routing rules as data,
service levels of the CRIP, the ten stations of the contact centre, the members of each tray)
and then replays the last `months` months day by day, in time order: contacts with a plausible
mix of channels, themes and urgencies (`reception.workflows.record_contact`), items taken,
started, put on hold and resumed, transferred, closed with an outcome (`take`, `start`, `wait`,
`resume`, `transfer`, `close`), a few anonymous contacts identified later (`identify`), callbacks
done (`complete_callback`), likely rights identified at reception and followed to a claim and
an answer (`reception.rights.record_check`, `start_claim`, `mark_opened`, `mark_not_opened`; the
simulation's answer is made up, OpenFisca is not called), the daily escalation of overdue items (`escalate_overdue`), and one
*information préoccupante* routed to the CRIP and acknowledged (`acknowledge_child_concern`).
It writes no event, transition or item itself. The steps that fall after now are not played:
the recent items are still open, some of them overdue.

Every workflow is called with the step's instant (`at=`, or `received_at=` for a contact): the
demo changes no clock.

Accounts: `demo.operateur` (contact centre), `demo.bannette` (manager of the main unit's trays,
role manager), `demo.ccas` (partner CCAS agent, no unit), with the demo password; the other tray
members are accounts without a password (`demo.ut.<unit>`, `demo.crip`, `demo.ccas2`).

The run refuses to play twice: when the operator already took contacts it does nothing.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from parcours.accounts.models import Agent, Organisation, OrganisationKind, Role
from parcours.appointments.calendar import local_datetime
from parcours.core.dates import add_months
from parcours.demo.agents import front_door_agents, main_unit
from parcours.demo.generation import loaded_departement
from parcours.demo.names import NORD_LAST_NAMES
from parcours.people.models import Person
from parcours.reception import rights, workflows
from parcours.reception.models import (
    Benefit,
    CallerRelation,
    Channel,
    CharterSignature,
    Contact,
    ItemState,
    Need,
    Outcome,
    RightStatus,
    RoutingRule,
    ServiceLevel,
    Station,
    Tray,
    TrayItem,
    TrayMember,
    TrayService,
    Urgency,
    WaitReason,
)
from parcours.reception.models.needs import NeedTheme
from parcours.reception.working_hours import add_working_hours
from parcours.territory.models import Commune, Departement, Site, TerritorialUnit

OPERATOR, TRAY_MANAGER, CCAS_AGENT = "demo.operateur", "demo.bannette", "demo.ccas"
MONTHS = 3
CONTACTS_PER_DAY = 8  # on a working day; the Nord's centre takes hundreds, the demo stays quick
STATIONS = 10
UNIT_SERVICES = (
    TrayService.FRONT_DESK,
    TrayService.SOCIAL,
    TrayService.PMI,
    TrayService.INSERTION,
    TrayService.AUTONOMY,
    TrayService.HOUSING,
    TrayService.FINANCIAL_AID,
)
CHANNELS = (
    (Channel.PHONE, 55),
    (Channel.WALK_IN, 18),
    (Channel.EMAIL, 8),
    (Channel.MAIL, 4),
    (Channel.ONLINE_FORM, 7),
    (Channel.PARTNER, 4),
    (Channel.THIRD_PARTY, 4),
)
THEMES = (
    ("acces-droits", 18),
    ("emploi-formation", 9),
    ("logement", 14),
    ("budget", 12),
    ("sante", 8),
    ("mobilite", 4),
    ("famille", 6),
    ("enfance", 6),
    ("autonomie", 8),
    ("alimentation", 6),
    ("numerique", 3),
    ("justice", 3),
    ("demarches", 3),
)
URGENCIES = ((Urgency.ORDINARY, 82), (Urgency.WITHIN_48H, 15), (Urgency.IMMEDIATE, 3))
# Mean delay to the first action, in working hours, by urgency.
FIRST_ACTION_MEAN = {Urgency.IMMEDIATE: 0.7, Urgency.WITHIN_48H: 5.0, Urgency.ORDINARY: 12.0}
LATE_SHARE = 0.1  # of items whose first action comes after the service level
WAIT_SHARE = 0.2
TRANSFER_SHARE = 0.08
IDENTIFY_LATER_SHARE = 0.05  # of anonymous contacts
CALLBACK_SHARE = 0.1  # of phone contacts
IDENTIFIED_SHARE = 0.55
RIGHTS_CHECK_SHARE = 0.6  # of contacts with an « accès aux droits » need
# Likely entitlements of a demo check: (benefit, monthly amount, weight).
ENTITLEMENTS = (
    (Benefit.RSA, "607.75", 40),
    (Benefit.ACTIVITY_BONUS, "231.40", 30),
    (Benefit.HOUSING, "284.00", 45),
    (Benefit.CSS, "0.00", 35),
    (Benefit.AAH, "1016.05", 5),
)
CLAIM_SHARE = 0.65  # of rights identified, claimed
OPENED_SHARE = 0.7  # of claims, opened (most of the others not opened)
OUTCOMES = (
    (Outcome.ANSWERED, 55),
    (Outcome.ORIENTED, 25),
    (Outcome.NO_FOLLOW_UP, 10),
    (Outcome.UNREACHABLE, 10),
)
TRANSFER_TARGETS = {
    TrayService.FRONT_DESK: TrayService.SOCIAL,
    TrayService.SOCIAL: TrayService.HOUSING,
    TrayService.PMI: TrayService.SOCIAL,
    TrayService.INSERTION: TrayService.SOCIAL,
    TrayService.AUTONOMY: TrayService.SOCIAL,
    TrayService.HOUSING: TrayService.FINANCIAL_AID,
    TrayService.FINANCIAL_AID: TrayService.SOCIAL,
}
TRANSFER_REASONS = (
    "Relève d'un autre service de l'unité",
    "Demande à traiter par le service compétent",
    "Après évaluation : besoin principal différent",
)


class DemoAgentsMissing(Exception):
    """The demo accounts are not created yet."""


@dataclass
class FrontDoorDemoOutcome:
    created: bool
    trays: int = 0
    rules: int = 0
    stations: int = 0
    contacts: int = 0
    items: int = 0
    open_items: int = 0
    overdue: int = 0
    transfers: int = 0
    escalated: int = 0
    counts: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Configuration


def _tray_name(service: str, unit: TerritorialUnit) -> str:
    return f"{TrayService(service).label.split(' (')[0]} — {unit.name}"


def _quiet_agent(username: str, first: str, last: str, organisation, role: str, units) -> Agent:
    """A tray member of the demo that nobody logs in as (no usable password)."""
    agent = Agent.objects.filter(username=username).first()
    if agent is None:
        agent = Agent(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            organisation=organisation,
            role=role,
            is_active=True,
        )
        agent.set_unusable_password()
        agent.save()
    agent.units.set(units)
    return agent


def _member(tray: Tray, agent: Agent, manager: bool = False) -> None:
    TrayMember.objects.update_or_create(tray=tray, agent=agent, defaults={"is_manager": manager})


@dataclass
class Setup:
    departement: Departement
    trays: dict  # (unit pk or None, service) → Tray
    crip: Tray
    ccas: list
    workers: dict  # tray pk → agent who acts on its items
    stations: list
    unit_sites: dict  # unit pk → a site of the unit
    rules: int


def install(departement: Departement, agents: dict[str, Agent]) -> Setup:
    """The trays, members, routing rules, service levels and stations (idempotent)."""
    main = main_unit(departement)
    units = list(TerritorialUnit.objects.filter(departement=departement).order_by("code"))
    council = Organisation.objects.get_or_create(
        departement=departement, kind=OrganisationKind.DEPARTEMENT, name=f"Département — {departement.name}"
    )[0]
    trays, workers = {}, {}
    for index, unit in enumerate(units):
        if unit == main:
            worker = agents[TRAY_MANAGER]
        else:
            last = NORD_LAST_NAMES[index % len(NORD_LAST_NAMES)]
            worker = _quiet_agent(
                f"demo.ut.{slugify(unit.code)}", "Agent", last, council, Role.REFERENT, [unit]
            )
        for service in UNIT_SERVICES:
            tray, _ = Tray.objects.update_or_create(
                code=slugify(f"{unit.code}-{service}")[:60],
                defaults={
                    "departement": departement,
                    "name": _tray_name(service, unit),
                    "service": service,
                    "unit": unit,
                    "active": True,
                },
            )
            _member(tray, worker, manager=True)
            trays[(unit.pk, service)] = tray
            workers[tray.pk] = worker
    if main is not None:
        _member(trays[(main.pk, TrayService.FRONT_DESK)], agents[OPERATOR])
    crip, _ = Tray.objects.update_or_create(
        code=f"crip-{departement.code}",
        defaults={
            "departement": departement,
            "name": f"CRIP du Département ({departement.name})",
            "service": TrayService.CRIP,
            "unit": None,
            "active": True,
        },
    )
    crip_agent = _quiet_agent("demo.crip", "Agent", "CRIP", council, Role.REFERENT, [])
    _member(crip, crip_agent, manager=True)
    workers[crip.pk] = crip_agent
    for urgency, hours in ((Urgency.IMMEDIATE, 1), (Urgency.WITHIN_48H, 4), (Urgency.ORDINARY, 7)):
        ServiceLevel.objects.update_or_create(
            tray=crip, urgency=urgency, defaults={"first_action_hours": hours}
        )

    CharterSignature.objects.get_or_create(
        organisation=council, defaults={"signed_on": add_months(timezone.localdate(), -24)}
    )
    ccas_trays = []
    towns = list(
        Commune.objects.filter(departement=departement, unit__isnull=False)
        .select_related("unit")
        .order_by("-population", "insee_code")[:2]
    )
    for rank, town in enumerate(towns):
        organisation = (
            agents[CCAS_AGENT].organisation
            if rank == 0
            else Organisation.objects.get_or_create(
                departement=departement, kind=OrganisationKind.CCAS, name=f"CCAS de {town.name}"
            )[0]
        )
        CharterSignature.objects.get_or_create(
            organisation=organisation, defaults={"signed_on": add_months(timezone.localdate(), -12)}
        )
        tray, _ = Tray.objects.update_or_create(
            code=f"ccas-{town.insee_code}",
            defaults={
                "departement": departement,
                "name": f"CCAS de {town.name} (partenaire)",
                "service": TrayService.PARTNER,
                "unit": town.unit,
                "organisation": organisation,
                "active": True,
            },
        )
        agent = (
            agents[CCAS_AGENT]
            if rank == 0
            else _quiet_agent("demo.ccas2", "Agent", "CCAS", organisation, Role.ACCUEIL, [])
        )
        _member(tray, agent, manager=True)
        workers[tray.pk] = agent
        ccas_trays.append((tray, town.unit))

    rules = _rules(departement, ccas_trays)
    site = (
        Site.objects.filter(departement=departement, unit=main, kind="utpas").order_by("code").first()
        or Site.objects.filter(departement=departement).order_by("code").first()
    )
    stations = []
    if site is not None:
        for number in range(1, STATIONS + 1):
            station, _ = Station.objects.update_or_create(
                code=f"cpc-{departement.code}-{number:02d}",
                defaults={
                    "site": site,
                    "label": f"Centre de premier contact — poste {number}",
                    "active": True,
                },
            )
            stations.append(station)
    unit_sites = {}
    for found in Site.objects.filter(departement=departement, unit__isnull=False).order_by("kind", "code"):
        unit_sites.setdefault(found.unit_id, found)
    return Setup(departement, trays, crip, ccas_trays, workers, stations, unit_sites, rules)


def _rules(departement: Departement, ccas_trays: list) -> int:
    """The routing rules as data, replaced as a whole (first match wins)."""
    themes = {theme.code: theme for theme in NeedTheme.objects.all()}
    wanted = [
        (
            "Urgence (danger) : service social de l'unité",
            None,
            Urgency.IMMEDIATE,
            None,
            None,
            TrayService.SOCIAL,
        ),
    ]
    if len(ccas_trays) > 0:
        tray, unit = ccas_trays[0]
        wanted.append((f"Aide alimentaire : {tray.name}", "alimentation", "", unit, tray, ""))
    if len(ccas_trays) > 1:
        tray, unit = ccas_trays[1]
        wanted.append((f"Accès aux droits : {tray.name}", "acces-droits", "", unit, tray, ""))
    wanted += [
        ("Enfance : PMI de l'unité", "enfance", "", None, None, TrayService.PMI),
        ("Famille et parentalité : PMI de l'unité", "famille", "", None, None, TrayService.PMI),
        ("Emploi, formation : insertion (MDIE) de l'unité", "emploi-formation", "", None, None, TrayService.INSERTION),
        ("Autonomie, handicap : service autonomie de l'unité", "autonomie", "", None, None, TrayService.AUTONOMY),
        ("Logement, hébergement : logement / FSL de l'unité", "logement", "", None, None, TrayService.HOUSING),
        ("Budget, dettes : aides financières de l'unité", "budget", "", None, None, TrayService.FINANCIAL_AID),
        ("Toute autre demande : service social de l'unité", None, "", None, None, TrayService.SOCIAL),
    ]  # fmt: skip
    RoutingRule.objects.filter(departement=departement).update(active=False)
    for position, (label, theme, urgency, unit, tray, service) in enumerate(wanted, start=1):
        RoutingRule.objects.update_or_create(
            departement=departement,
            label=label,
            defaults={
                "position": position * 10,
                "theme": themes.get(theme) if theme else None,
                "urgency": urgency or "",
                "unit": unit,
                "tray": tray,
                "service": service,
                "active": True,
            },
        )
    return len(wanted)


# ---------------------------------------------------------------------------------------------
# The replay


class Replay:
    """The last months replayed in time order (a heap of dated steps)."""

    def __init__(self, setup: Setup, agents: dict[str, Agent], rng: random.Random, now: datetime.datetime):
        self.setup, self.agents, self.rng, self.now = setup, agents, rng, now
        self.heap: list = []
        self.counter = itertools.count()
        self.needs = {
            code: list(
                Need.objects.filter(active=True, situation__theme__code=code)
                .select_related("situation__theme")
                .order_by("pk")
            )
            for code, _ in THEMES
        }
        self.communes = list(
            Commune.objects.filter(departement=setup.departement, unit__isnull=False).order_by("insee_code")
        )
        self.person_ids = list(
            Person.objects.filter(commune__departement=setup.departement, commune__unit__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:3000]
        )
        self.contacts = self.transfers = self.escalated = 0

    def at(self, moment: datetime.datetime, step, *args) -> None:
        if moment <= self.now:
            heapq.heappush(self.heap, (moment, next(self.counter), step, args))

    def run(self) -> None:
        while self.heap:
            moment, _, step, args = heapq.heappop(self.heap)
            step(moment, *args)

    def pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights)[0]

    # -- contacts

    def plan_day(self, day: datetime.date, per_day: int) -> None:
        working = day.weekday() < 5
        factor = {0: 1.3, 4: 0.8}.get(day.weekday(), 1.0) if working else 0.1
        count = max(0, round(self.rng.gauss(per_day * factor, per_day * factor * 0.2)))
        for _ in range(count):
            channel = self.pick(CHANNELS)
            if not working:
                channel = self.rng.choice((Channel.EMAIL, Channel.ONLINE_FORM))
            if channel in (Channel.EMAIL, Channel.ONLINE_FORM):
                minutes = self.rng.randint(7 * 60, 23 * 60)
            else:
                peak = self.rng.choice((10 * 60, 15 * 60))
                minutes = min(17 * 60 + 20, max(8 * 60 + 30, round(self.rng.gauss(peak, 70))))
            moment = local_datetime(day, datetime.time(minutes // 60, minutes % 60, self.rng.randint(0, 59)))
            self.at(moment, self.contact, channel)
        self.at(local_datetime(day, datetime.time(7, 0)), self.escalate)

    def plan_partner_backlog(self, today: datetime.date) -> None:
        """The partners' trays get their share of the last days' needs (food aid for the first CCAS,
        access to rights for the second: the themes of their routing rules), recorded like any
        contact so that the rules route them there. The older ones are handled as usual; the three
        latest are left for the partner's agent (« Nouvelle » in their tray today)."""
        for (_tray, unit), theme in zip(self.setup.ccas, ("alimentation", "acces-droits"), strict=False):
            choices = self.needs.get(theme) or []
            communes = [commune for commune in self.communes if commune.unit_id == unit.pk]
            if not choices or not communes:
                continue
            persons = list(
                Person.objects.filter(pk__in=self.person_ids, commune__unit=unit).values_list(
                    "pk", flat=True
                )[:50]
            )
            day = today
            for number in range(6):
                day -= datetime.timedelta(days=1)
                while day.weekday() >= 5:
                    day -= datetime.timedelta(days=1)
                moment = local_datetime(day, datetime.time(self.rng.randint(9, 16), self.rng.randint(0, 59)))
                need = workflows.NeedInput(need=self.rng.choice(choices), urgency=Urgency.ORDINARY)
                who = (
                    {"person_id": self.rng.choice(persons)}
                    if persons
                    else {"commune": self.rng.choice(communes)}
                )
                self.at(moment, self.partner_contact, need, who, number >= 3)

    def partner_contact(self, moment: datetime.datetime, need, who: dict, handled: bool) -> None:
        provisional = None
        if "commune" in who:
            provisional = {
                "first_name": self.rng.choice(("Nadia", "Kevin", "Julie")),
                "commune": who["commune"],
            }
        self.contact(
            moment, Channel.WALK_IN, [need], None, who.get("person_id"), provisional=provisional, plan=handled
        )

    def _needs(self) -> list[workflows.NeedInput]:
        count = self.pick(((1, 70), (2, 25), (3, 5)))
        inputs = []
        for theme in {self.pick(THEMES) for _ in range(count)}:
            choices = self.needs.get(theme) or []
            if choices:
                inputs.append(
                    workflows.NeedInput(need=self.rng.choice(choices), urgency=self.pick(URGENCIES))
                )
        return inputs

    def contact(
        self,
        moment: datetime.datetime,
        channel: str,
        needs=None,
        caller=None,
        person_id=None,
        *,
        provisional=None,
        plan: bool = True,
    ) -> None:
        needs = needs or self._needs()
        if not needs:
            return
        person = None
        if (
            provisional is None
            and person_id is None
            and self.person_ids
            and self.rng.random() < IDENTIFIED_SHARE
        ):
            person_id = self.rng.choice(self.person_ids)
        if provisional is None and person_id is not None:
            person = Person.objects.select_related("commune__unit", "commune__departement").get(pk=person_id)
        elif provisional is None:
            provisional = {
                "first_name": self.rng.choice(("Nadia", "Kevin", "Sandrine", "Mohamed", "Julie", "David")),
                "commune": self.rng.choice(self.communes),
                "phone": f"06{self.rng.randint(10**7, 10**8 - 1)}",
            }
        station = site = None
        if channel == Channel.PHONE and self.setup.stations:
            station = self.rng.choice(self.setup.stations)
        elif channel == Channel.WALK_IN:
            commune = person.commune if person else provisional["commune"]
            site = self.setup.unit_sites.get(commune.unit_id)
        if caller is None and channel == Channel.THIRD_PARTY:
            caller = {"relation": self.rng.choice((CallerRelation.FAMILY, CallerRelation.NEIGHBOUR))}
        if caller is None and channel == Channel.PARTNER:
            caller = {"relation": CallerRelation.PROFESSIONAL, "organisation": "Partenaire (démo)"}
        callback_at = None
        phone = (provisional or {}).get("phone") or (person.phone if person else "") or "0600000000"
        if channel == Channel.PHONE and self.rng.random() < CALLBACK_SHARE:
            callback_at = add_working_hours(moment, self.rng.uniform(0.5, 4))
        contact = workflows.record_contact(
            self.agents[OPERATOR],
            channel=channel,
            needs=needs,
            person=person,
            received_at=moment,
            duration_seconds=self.rng.randint(90, 900)
            if channel in (Channel.PHONE, Channel.WALK_IN)
            else None,
            site=site,
            station=station,
            provisional=provisional,
            caller=caller,
            callback_at=callback_at,
            callback_phone=phone if callback_at else "",
        )
        self.contacts += 1
        if callback_at is not None:
            self.at(
                callback_at + datetime.timedelta(minutes=self.rng.randint(5, 90)), self.callback, contact.pk
            )
        if person is None and self.person_ids and self.rng.random() < IDENTIFY_LATER_SHARE:
            self.at(moment + datetime.timedelta(days=self.rng.uniform(0.5, 4)), self.identify, contact.pk)
        if not plan:  # left for the tray's agents: still « Nouvelle » today
            return
        for item_pk in contact.items.order_by("pk").values_list("pk", flat=True):
            self.plan_first_action(item_pk, moment)
        themes = {need.need.situation.theme.code for need in needs}
        if "acces-droits" in themes and self.rng.random() < RIGHTS_CHECK_SHARE:
            self.at(
                moment + datetime.timedelta(minutes=self.rng.randint(5, 20)), self.rights_check, contact.pk
            )

    # -- access to rights (the simulation's answer is made up: no call to OpenFisca in the demo)

    def rights_check(self, moment, contact_pk: int) -> None:
        contact = Contact.objects.select_related("person__commune__unit", "provisional_commune__unit").get(
            pk=contact_pk
        )
        chosen = {benefit for benefit, _, weight in ENTITLEMENTS if self.rng.random() < weight / 100}
        if not chosen:
            return
        month = timezone.localtime(moment).date().replace(day=1)
        results = {
            "month": f"{month:%Y-%m}",
            "entitlements": [
                {"benefit": benefit, "monthly_amount": amount, "eligible": benefit in chosen}
                for benefit, amount, _ in ENTITLEMENTS
            ],
        }
        check = rights.record_check(
            self.agents[OPERATOR],
            contact=contact,
            answers={"demonstration": True},
            results=results,
            at=moment,
        )
        for status_pk in check.rights.order_by("pk").values_list("pk", flat=True):
            if self.rng.random() < CLAIM_SHARE:
                self.at(moment + datetime.timedelta(days=self.rng.uniform(1, 12)), self.claim, status_pk)

    def claim(self, moment, status_pk: int) -> None:
        status = RightStatus.objects.get(pk=status_pk)
        rights.start_claim(self.agents[OPERATOR], status, at=moment)
        self.at(moment + datetime.timedelta(days=self.rng.uniform(10, 45)), self.answer, status_pk)

    def answer(self, moment, status_pk: int) -> None:
        status = RightStatus.objects.get(pk=status_pk)
        if self.rng.random() < OPENED_SHARE:
            rights.mark_opened(self.agents[OPERATOR], status, at=moment)
        else:
            reason = self.rng.choice(sorted(rights.NOT_OPENED_REASONS))
            rights.mark_not_opened(self.agents[OPERATOR], status, reason=reason, at=moment)

    def identify(self, moment, contact_pk: int) -> None:
        contact = Contact.objects.get(pk=contact_pk)
        person = Person.objects.get(pk=self.rng.choice(self.person_ids))
        if contact.person_id is None:
            workflows.identify(self.agents[OPERATOR], contact, person, at=moment)

    def callback(self, moment, contact_pk: int) -> None:
        for callback in Contact.objects.get(pk=contact_pk).callbacks.filter(state="a_faire"):
            workflows.complete_callback(self.agents[OPERATOR], callback, done=True, at=moment)

    def escalate(self, moment) -> None:
        self.escalated += workflows.escalate_overdue(at=moment)

    # -- items

    def _item(self, pk: int) -> TrayItem:
        return TrayItem.objects.select_related(
            "tray__departement", "tray__unit", "assigned_to", "person"
        ).get(pk=pk)

    def _worker(self, item: TrayItem) -> Agent:
        return self.setup.workers.get(item.tray_id) or self.agents[TRAY_MANAGER]

    def plan_first_action(self, item_pk: int, entered: datetime.datetime) -> None:
        item = self._item(item_pk)
        if item.is_child_concern:
            return
        hours = self.rng.expovariate(1 / FIRST_ACTION_MEAN[item.urgency])
        if self.rng.random() < LATE_SHARE:
            hours = item.tray.service_level_hours(item.urgency) * self.rng.uniform(1.1, 3)
        self.at(add_working_hours(entered, hours), self.take, item_pk)

    def take(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        if item.state not in (ItemState.NEW, ItemState.TRANSFERRED):
            return
        item = workflows.take(self._worker(item), item, at=moment)
        self.at(add_working_hours(moment, self.rng.uniform(0.1, 2)), self.start, item_pk)

    def start(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        item = workflows.start(self._worker(item), item, at=moment)
        roll = self.rng.random()
        if roll < TRANSFER_SHARE and item.tray.unit_id and item.tray.service in TRANSFER_TARGETS:
            self.at(add_working_hours(moment, self.rng.uniform(0.2, 3)), self.transfer, item_pk)
        elif roll < TRANSFER_SHARE + WAIT_SHARE:
            self.at(add_working_hours(moment, self.rng.uniform(0.5, 4)), self.wait, item_pk)
        else:
            self.at(add_working_hours(moment, self.rng.uniform(1, 30)), self.close, item_pk)

    def wait(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        reason = self.rng.choice(WaitReason.values)
        workflows.wait(self._worker(item), item, reason=reason, at=moment)
        self.at(moment + datetime.timedelta(days=self.rng.uniform(1, 10)), self.resume, item_pk)

    def resume(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        workflows.resume(self._worker(item), item, at=moment)
        self.at(add_working_hours(moment, self.rng.uniform(1, 14)), self.close, item_pk)

    def transfer(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        target = self.setup.trays.get((item.tray.unit_id, TRANSFER_TARGETS[item.tray.service]))
        if target is None or target.pk == item.tray_id:
            self.at(add_working_hours(moment, 2), self.close, item_pk)
            return
        reason = self.rng.choice(TRANSFER_REASONS)
        workflows.transfer(self._worker(item), item, to_tray=target, reason=reason, at=moment)
        self.transfers += 1
        self.plan_first_action(item_pk, moment)

    def close(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        if not item.is_open:
            return
        if item.is_child_concern:  # the CRIP evaluates the information préoccupante
            workflows.close(
                self._worker(item),
                item,
                outcome=Outcome.ANSWERED,
                decision="Évaluation de la situation de l'enfant confiée au service social de l'UTPAS.",
                at=moment,
            )
            return
        outcome = self.pick(OUTCOMES)
        workflows.close(self._worker(item), item, outcome=outcome, at=moment)

    # -- the information préoccupante

    def child_concern(self, moment) -> None:
        needs = self.needs.get("enfance") or self.needs.get("famille") or []
        if not needs:
            return
        # The referential's need for a child possibly in danger, else the theme's first one.
        need = next((n for n in needs if n.code == "enfance-information-preoccupante"), needs[0])
        need = workflows.NeedInput(need=need, urgency=Urgency.IMMEDIATE, is_child_concern=True)
        contact = workflows.record_contact(
            self.agents[OPERATOR],
            channel=Channel.THIRD_PARTY,
            needs=[need],
            received_at=moment,
            duration_seconds=420,
            station=self.setup.stations[0] if self.setup.stations else None,
            provisional={"first_name": "Lina", "commune": self.communes[0]},
            caller={"relation": CallerRelation.NEIGHBOUR},
        )
        self.contacts += 1
        item_pk = contact.items.get().pk
        self.at(moment + datetime.timedelta(minutes=40), self.acknowledge, item_pk)

    def acknowledge(self, moment, item_pk: int) -> None:
        item = self._item(item_pk)
        workflows.acknowledge_child_concern(self._worker(item), item, at=moment)
        self.take(moment + datetime.timedelta(minutes=1), item_pk)


def simulate_front_door(
    code: str, seed: int = 1, *, months: int = MONTHS, per_day: int = CONTACTS_PER_DAY
) -> FrontDoorDemoOutcome:
    """Install the demo's front door in département `code` and replay its last `months` months
    (see the module docstring). Raises TerritoryNotLoaded, DemoAgentsMissing."""
    departement = loaded_departement(code)
    if not Agent.objects.filter(username="demo.admin").exists():
        raise DemoAgentsMissing(
            "Les comptes de démonstration n'existent pas : lancez d'abord « parcours create-demo-agents »."
        )
    if Contact.objects.filter(taken_by__username=OPERATOR).exists():
        return FrontDoorDemoOutcome(created=False)
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        agents = front_door_agents(code)
        setup = install(departement, agents)
        replay = Replay(setup, agents, rng, now)
        today = timezone.localdate()
        day = add_months(today, -months)
        while day <= today:
            replay.plan_day(day, per_day)
            day += datetime.timedelta(days=1)
        ip_day = today - datetime.timedelta(days=15)
        while ip_day.weekday() >= 5:
            ip_day -= datetime.timedelta(days=1)
        replay.at(local_datetime(ip_day, datetime.time(10, 30)), replay.child_concern)
        replay.plan_partner_backlog(today)
        replay.run()
        replay.escalate(now)
    items = TrayItem.objects.filter(tray__departement=departement)
    return FrontDoorDemoOutcome(
        created=True,
        trays=Tray.objects.filter(departement=departement).count(),
        rules=setup.rules,
        stations=len(setup.stations),
        contacts=replay.contacts,
        items=items.count(),
        open_items=items.open().count(),
        overdue=items.overdue(now).count(),
        transfers=replay.transfers,
        escalated=replay.escalated,
    )
