"""The public booking page reached through a personal link (no account).

Only the person holding the link uses these views: they show no identity beyond the
appointment itself and never mention the RSA.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parcours.appointments.booking import BookingError, book, cancel_booking, move_booking
from parcours.appointments.invitations import offer_for, offered_slot
from parcours.appointments.models import Booking, BookingChannel, Invitation


def _current_booking(invitation: Invitation) -> Booking | None:
    return (
        Booking.objects.filter(followup=invitation.followup, cancelled_at__isnull=True, attendance="")
        .select_related("slot__site__commune", "slot__slot_type")
        .first()
    )


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    found = Invitation.objects.by_token(token)
    if found is None:
        raise Http404("Ce lien n'est pas valide.")
    context = {"title": "Votre rendez-vous", "invitation": found, "token": token}
    if found.cancelled_at or found.followup.closed_at:
        return render(request, "appointments/public/closed.html", context, status=410)
    booking = _current_booking(found)
    if booking is None and found.is_expired():
        context["expired_on"] = timezone.localtime(found.expires_at)
        return render(request, "appointments/public/expired.html", context, status=410)

    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "cancel" and booking is not None:
                cancel_booking(booking)
                messages.success(request, "Votre rendez-vous est annulé. Vous pouvez en choisir un autre.")
            elif action in ("book", "move"):
                slot = offered_slot(found, request.POST.get("slot"))
                if slot is None:
                    raise BookingError(
                        "Ce créneau ne peut pas être réservé avec ce lien. Choisissez-en un dans la liste."
                    )
                if booking is not None:
                    move_booking(booking, slot)
                    messages.success(request, "Votre rendez-vous est déplacé.")
                else:
                    book(slot, found.followup, channel=BookingChannel.PUBLIC, invitation=found)
                    messages.success(request, "Votre rendez-vous est confirmé.")
        except BookingError as error:
            messages.error(request, str(error))
        return redirect("booking:invitation", token=token)

    context.update(booking=booking, offers=offer_for(found))
    return render(request, "appointments/public/booking.html", context)
