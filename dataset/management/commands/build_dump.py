"""Build /api/v1/dump/'s file for the current data version now, so no visitor waits for it (cron after edits)."""

from django.core.management.base import BaseCommand
from django.test import RequestFactory

from dataset.dump import iter_public_dump
from dataset.dumpfile import dump_response


class Command(BaseCommand):
    help = "Build the bulk download's gzip file for the current data version (nothing to do if it exists)."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="The site's address as visitors use it (records carry absolute URLs).")  # fmt: skip

    def handle(self, *args, base_url, **options):
        scheme, _, host = base_url.partition("://")
        request = RequestFactory().get("/api/v1/dump/", secure=scheme == "https", HTTP_HOST=host.rstrip("/"))
        response = dump_response(request, iter_public_dump)
        for _ in response.streaming_content:  # builds the file when it is not there yet
            pass
        name = response["Content-Disposition"].split('"')[1]
        self.stderr.write(f"{name}.gz is ready for {base_url}")
