"""The documents of aid applications: what is accepted, how it is stored, how it is checked.

- `store(application, code, upload, by=…)` accepts a PDF, JPEG or PNG only — recognised by its
  first bytes, whatever its name or the browser's declared type —, of at most
  `settings.PARCOURS_MAX_UPLOAD_MB`, for one of the version's document codes, while the
  application is still being filed or instructed; its name is sanitised (letters, digits, dots,
  dashes) and it is kept in the private storage (`var/aids/`, 0600) with an `ApplicationDocument`.
- `check(document, by=…, valid=…, reason=…)`: the instructor's verdict, conforme or non conforme
  (with a reason).
- `open_for_download(document)`: the file, to be served as an attachment by a view that has
  checked the person's access.

Errors are `ValidationError`s with a French message the agent can act on. Every change is audited
on the person (`core.audit`), the file's name never appears in a log line.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from parcours.aids.models import AidApplication, ApplicationDocument, ApplicationState, DocumentStatus
from parcours.core import audit

MB = 1024 * 1024
# The types accepted, by their signature (first bytes), with the extension they are stored with.
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]
# States in which documents may still be added (filing and instruction).
OPEN_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.INSTRUCTION,
    ApplicationState.MISSING_DOCUMENTS,
    ApplicationState.COMMISSION,
    ApplicationState.ADJOURNED,
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a file starting with `head`, or None when not accepted."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def sanitise_name(name: str, extension: str) -> str:
    """A file name safe on any disk and in a header: accents removed, only letters, digits, dots,
    dashes and underscores, at most 80 characters, ending with `extension`."""
    base = unicodedata.normalize("NFKD", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    base = base.encode("ascii", "ignore").decode()
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:70] or "piece"
    return f"{stem}{extension}"


def validate(upload: UploadedFile) -> tuple[str, str]:
    """Raise unless `upload` is an accepted type within the size limit; its (type, extension)."""
    limit = settings.PARCOURS_MAX_UPLOAD_MB * MB
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"Le fichier dépasse {settings.PARCOURS_MAX_UPLOAD_MB} Mo, la taille maximale acceptée."
        )
    if not upload.size:
        raise ValidationError("Le fichier est vide.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise ValidationError(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : enregistrez-le dans l'un de ces formats."
        )
    return found


def store(
    application: AidApplication,
    code: str,
    upload: UploadedFile,
    *,
    by,
    valid_until: datetime.date | None = None,
    at: datetime.datetime | None = None,
    request=None,
) -> ApplicationDocument:
    """Keep `upload` as the document `code` of `application` (see the module docstring)."""
    codes = {d.get("code") for d in application.version.documents}
    if code not in codes:
        raise ValidationError("Cette pièce n'est pas demandée par le dispositif.")
    if application.state not in OPEN_STATES:
        raise ValidationError(
            f"La demande est « {application.get_state_display().lower()} » : on n'y ajoute plus de pièce."
        )
    content_type, extension = validate(upload)
    name = sanitise_name(upload.name or "", extension)
    document = ApplicationDocument(
        application=application,
        code=code,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        valid_until=valid_until,
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
        uploaded_at=at or timezone.now(),
    )
    document.file.save(name, upload, save=False)
    document.save()
    audit.record_changes(by, application.person, [f"aide:piece:{code}"], request=request)
    return document


def check(document: ApplicationDocument, *, by, valid: bool, reason: str = "", request=None, at=None) -> None:
    """The instructor's verdict on `document`: conforme, or non conforme with its reason. A
    conforming periodic certificate (the student grant's) resumes at once the payments it had
    suspended (`aids.payments.review_certificates`)."""
    if not valid and not reason.strip():
        raise ValidationError("Précisez pourquoi la pièce n'est pas conforme.")
    document.status = DocumentStatus.VALID if valid else DocumentStatus.REJECTED
    document.rejection_reason = "" if valid else reason.strip()[:200]
    document.checked_by, document.checked_at = by, at or timezone.now()
    document.save(update_fields=["status", "rejection_reason", "checked_by", "checked_at"])
    audit.record_changes(by, document.application.person, [f"aide:controle:{document.code}"], request=request)
    application = document.application
    if valid and document.code and document.code == application.version.certificate_code:
        from parcours.aids.models import PaymentState
        from parcours.aids.payments import review_certificates

        review_certificates(application.payments.filter(state=PaymentState.SUSPENDED), at=at)


def open_for_download(document: ApplicationDocument):
    """The stored file, opened for reading (the caller serves it as an attachment)."""
    return document.file.open("rb")
