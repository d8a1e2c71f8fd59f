import datetime

from django.core import mail
from django.core.management import call_command

from parcours.jobs.expiry import expire_offers
from parcours.jobs.models import JobOffer, OfferStatus
from tests.jobs.factories import OfferFactory, employer_account

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def test_warning_at_50_days_and_expiry_at_60(db):
    fresh = OfferFactory(refreshed_at=ago(49))
    to_warn = OfferFactory(refreshed_at=ago(50))
    to_expire = OfferFactory(refreshed_at=ago(60))
    draft = OfferFactory(status=OfferStatus.DRAFT, refreshed_at=ago(90))
    employer_account(to_warn.employer)

    assert list(JobOffer.objects.to_warn(NOW)) == [to_warn]
    assert list(JobOffer.objects.to_expire(NOW)) == [to_expire]
    assert expire_offers(NOW) == {"warned": 1, "expired": 1}
    assert expire_offers(NOW) == {"warned": 0, "expired": 0}  # idempotent

    for offer in (fresh, to_warn, to_expire, draft):
        offer.refresh_from_db()
    assert fresh.status == OfferStatus.PUBLISHED and fresh.expiry_warned_at is None
    assert to_warn.status == OfferStatus.PUBLISHED and to_warn.expiry_warned_at == NOW
    assert to_expire.status == OfferStatus.EXPIRED and to_expire.expired_at == NOW
    assert draft.status == OfferStatus.DRAFT
    assert len(mail.outbox) == 1
    assert "expire le" in mail.outbox[0].subject


def test_refresh_restarts_the_delay(db):
    offer = OfferFactory(refreshed_at=ago(55), expiry_warned_at=ago(5))
    offer.refresh(now=NOW)
    assert offer.expiry_warned_at is None
    assert not JobOffer.objects.to_expire(NOW + datetime.timedelta(days=59)).exists()
    assert JobOffer.objects.to_expire(NOW + datetime.timedelta(days=60)).exists()


def test_command(db, capsys):
    OfferFactory(refreshed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    call_command("expire_offers")
    assert "1 offre expirée" in capsys.readouterr().out
