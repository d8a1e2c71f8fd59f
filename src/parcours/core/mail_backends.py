"""Mail backends of Parcours."""

from __future__ import annotations

from django.core.mail.backends.filebased import EmailBackend

from parcours.core.private_files import open_private, private_directory


class PrivateFileEmailBackend(EmailBackend):
    """Django's file backend (one file per connection in EMAIL_FILE_PATH, var/mails/ by default)
    with folder and files readable by the server's user only: the mails hold names and addresses.

    For the demo and development; production sends through SMTP (EMAIL_BACKEND)."""

    def __init__(self, *args, file_path=None, **kwargs):
        super().__init__(*args, file_path=file_path, **kwargs)
        private_directory(self.file_path)

    def open(self) -> bool:
        if self.stream is None:
            self.stream = open_private(self._get_filename(), "ab")
            return True
        return False
