"""The public booking page reached through a personal link (no account).

Only the person holding the link uses these views: they show no identity beyond the
appointment itself and never mention the RSA. Their pages use the public layout (no agent
menu, no login link), and an unknown link answers a French 404 page rendered here, never
Django's debug page.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parcours.appointments.booking import BookingError, cancel_booking
from parcours.appointments.invitations import book_offered, offer_for
from parcours.appointments.models import Booking, Invitation


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
        return render(request, "appointments/public/unknown.html", {"title": "Lien introuvable"}, status=404)
    context = {"title": "Votre rendez-vous", "invitation": found, "token": token}
    if found.cancelled_at or found.followup.closed_at:
        return render(request, "appointments/public/closed.html", context, status=410)
    booking = _current_booking(found)
    if booking is None and found.is_expired():
        context["expired_on"] = timezone.localtime(found.expires_at)
        return render(request, "appointments/public/expired.html", context, status=410)

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel" and booking is not None:
            # A first click asks for confirmation; only the confirmation cancels.
            return render(request, "appointments/public/confirm_cancel.html", context | {"booking": booking})
        try:
            if action == "confirm_cancel" and booking is not None:
                cancel_booking(booking)
                messages.success(request, "Votre rendez-vous est annulé. Vous pouvez en choisir un autre.")
            elif action in ("book", "move"):
                messages.success(request, book_offered(found, request.POST.get("slot"), booking))
        except BookingError as error:
            messages.error(request, str(error))
        return redirect("booking:invitation", token=token)

    context.update(booking=booking, offers=offer_for(found))
    return render(request, "appointments/public/booking.html", context)
