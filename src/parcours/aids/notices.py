"""What the aids tell, through the one notification path (`appointments.notifications`):

- `decision_taken(application)`: the person is told that their application was answered
  (accordée, refusée, ajournée) by e-mail and/or SMS — the channels they have; when they have
  neither, one e-mail is queued and ends « sans coordonnées », so that the file shows they were
  not told. The text names the application's reference and the decision, never an amount, a
  reason or the scheme (an SMS is read on a lock screen): the decision letter (`aids.letters`)
  says the rest. Called by `aids.workflows` once the decision's transaction is committed.
- `emergency_deposited(application)`: every active instructor of aids is alerted by e-mail that
  an emergency application waits (a sentence without personal data, the page to open). Called by
  `aids.workflows.deposit` on commit.

Both deliver at once (the messages are also picked by `deliver_pending` if a backend fails).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

# What the person reads for each state reached by a decision.
ANSWERS = {
    "accordee": "accordée",
    "refusee": "refusée",
    "ajournee": "ajournée (des éléments complémentaires sont nécessaires)",
}


def decision_text(application) -> str:
    """The decision in plain words, without amount nor reason (« … a reçu une réponse : accordée. »)."""
    answer = ANSWERS.get(application.state, application.get_state_display().lower())
    return f"Votre demande d'aide n° {application.reference} a reçu une réponse : {answer}. Un courrier suit."


def decision_taken(application) -> list:
    """Queue and deliver the decision's message(s) to the person; returns the messages."""
    from parcours.appointments import notifications
    from parcours.appointments.models import Channel, MessageKind

    person = application.person
    channels = [c for c, present in ((Channel.EMAIL, person.email), (Channel.SMS, person.phone)) if present]
    messages = notifications.queue(
        MessageKind.AID_DECISION,
        channels or [Channel.EMAIL],
        person=person,
        context={"text": decision_text(application)},
    )
    notifications.deliver(messages)
    return messages


def application_path(application) -> str:
    """The page of the application (the queue while the applications' pages do not exist)."""
    try:
        return reverse("aids:application", args=[application.pk])
    except NoReverseMatch:
        return reverse("aids:queue") if _has("aids:queue") else "/aides/"


def _has(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def instructors():
    """The active agents who instruct aids (the département's instructors of aids)."""
    from parcours.accounts.models import Agent, Role

    candidates = Agent.objects.filter(role=Role.INSTRUCTEUR_AIDES, is_active=True).select_related(
        "organisation"
    )
    return [agent for agent in candidates if agent.may_instruct_aids]


def emergency_deposited(application) -> list:
    """Alert every instructor of aids that an emergency application was deposited."""
    from parcours.appointments import notifications
    from parcours.appointments.models import Channel, MessageKind

    due = (
        f" : elle doit être décidée avant le {timezone.localtime(application.due_at):%d/%m/%Y à %H:%M}"
        if application.due_at
        else ""
    )
    text = f"Une demande d'aide en urgence vient d'être déposée (demande n° {application.reference}){due}."
    context = {"text": text, "path": application_path(application)}
    messages = []
    for agent in instructors():
        messages += notifications.queue(MessageKind.AID_ALERT, [Channel.EMAIL], agent=agent, context=context)
    notifications.deliver(messages)
    return messages
