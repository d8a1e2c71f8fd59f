"""An upload handler that stops reading a file past the largest size Parcours accepts.

The import form checks each kind's own limit once the file is received; this handler keeps
a far larger file from being written to disk at all: past `PARCOURS_MAX_UPLOAD_MB` it stops
storing the upload (the rest of the body is read and thrown away) and leaves a French message
on the request (`request.upload_refused`) for the form to show.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

MB = 1024 * 1024


class CappedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.limit = settings.PARCOURS_MAX_UPLOAD_MB * MB
        self.request.upload_refused = ""

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_refused = (
                f"Le fichier dépasse {settings.PARCOURS_MAX_UPLOAD_MB} Mo, la taille maximale acceptée : "
                "il n'a pas été enregistré."
            )
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
