"""Labels and manifests (OBA only): calls that generate billable documents, never retried
once they may have reached the server."""

from __future__ import annotations

import enum
import io
from collections.abc import Sequence

from clickdrop_desktop.api.base import EndpointBase
from clickdrop_desktop.api.errors import ApiError, BadResponse
from clickdrop_desktop.api.http import Answer, Call
from clickdrop_desktop.api.identifiers import (
    OrderKey,
    chunk_keys,
    encode_key,
    encode_keys,
    unique_keys,
)
from clickdrop_desktop.api.requests import ManifestRequest
from clickdrop_desktop.api.results import (
    PDF_MAGIC,
    ManifestDetails,
    ManifestResult,
    one_line,
    problems_from_body,
    summarise,
)


class DocumentType(enum.StrEnum):
    """`documentType` of the label call."""

    POSTAGE_LABEL = "postageLabel"
    DESPATCH_NOTE = "despatchNote"
    CN22 = "CN22"
    CN23 = "CN23"


class Documents(EndpointBase):
    """`GET /orders/{ids}/label`, `POST /manifests`, `POST /manifests/retry/{n}`,
    `GET /manifests/{n}`."""

    # -- labels ---------------------------------------------------------------------------------

    def get_labels(
        self,
        keys: Sequence[OrderKey],
        document_type: DocumentType | str = DocumentType.POSTAGE_LABEL,
        *,
        include_returns_label: bool = False,
        include_cn: bool | None = None,
    ) -> tuple[bytes, ...]:
        """One PDF per call of up to 100 orders. GENERATES the labels (sets `printedOn`, may
        bill postage): call it on an explicit user action only, and never retry it blindly.
        `partial` on an error holds the PDFs already generated."""
        doc = DocumentType(document_type)
        params = {"documentType": doc.value}
        if doc is DocumentType.POSTAGE_LABEL:
            # "Required when documentType is set to 'postageLabel'"; ignored otherwise.
            params["includeReturnsLabel"] = "true" if include_returns_label else "false"
            if include_cn is not None:
                params["includeCN"] = "true" if include_cn else "false"
        pdfs: list[bytes] = []
        for chunk in chunk_keys(unique_keys(keys)):
            call = Call(
                "GET",
                f"/orders/{encode_keys(chunk)}/label",
                "GET /orders/{orderIdentifiers}/label",
                params=params,
                accept="application/pdf, application/json",
                idempotent=False,
            )
            try:
                pdfs.append(self._label_pdf(self._send(call, "labels")))
            except ApiError as exc:
                exc.partial = tuple(pdfs)
                raise
        return tuple(pdfs)

    def get_label(
        self,
        keys: Sequence[OrderKey] | OrderKey,
        document_type: DocumentType | str = DocumentType.POSTAGE_LABEL,
        *,
        include_returns_label: bool = False,
        include_cn: bool | None = None,
    ) -> bytes:
        """The labels (or documents) of `keys` as one PDF; over 100 orders, the chunks' PDFs
        are merged. Same warnings as `get_labels`."""
        key_list = [keys] if isinstance(keys, int | str) else list(keys)
        pdfs = self.get_labels(
            key_list,
            document_type,
            include_returns_label=include_returns_label,
            include_cn=include_cn,
        )
        return pdfs[0] if len(pdfs) == 1 else merge_pdfs(pdfs)

    @staticmethod
    def _label_pdf(answer: Answer) -> bytes:
        if answer.content.startswith(PDF_MAGIC):
            return answer.content
        # Some clients saw JSON where a PDF was expected: say what it said, then refuse it.
        reason = "the label answer is not a PDF"
        try:
            problems = problems_from_body(answer.json())
        except BadResponse:
            problems = ()
        raise BadResponse(summarise(problems, reason) + ".")

    # -- manifests -------------------------------------------------------------------------------

    def manifest_eligible(self, carrier_name: str | None = None) -> ManifestResult:
        """`POST /manifests`: manifests ALL eligible orders (irreversible; commits postage to the
        invoice). `ready=False` (202) means poll `get_manifest` for the PDF later."""
        body = ManifestRequest(carrier_name=carrier_name).to_api() if carrier_name else None
        call = Call("POST", "/manifests", "POST /manifests", body=body, idempotent=False)
        return self._manifest_result(self._send(call, "manifests"))

    def retry_manifest(self, manifest_number: int) -> ManifestResult:
        """`POST /manifests/retry/{manifestIdentifier}`."""
        path = f"/manifests/retry/{encode_key(_manifest_number(manifest_number))}"
        call = Call("POST", path, "POST /manifests/retry/{manifestIdentifier}", idempotent=False)
        return self._manifest_result(self._send(call, "manifests"))

    def get_manifest(self, manifest_number: int) -> ManifestDetails:
        """`GET /manifests/{manifestIdentifier}`: status and, once ready, the PDF."""
        path = f"/manifests/{encode_key(_manifest_number(manifest_number))}"
        answer = self._send(Call("GET", path, "GET /manifests/{manifestIdentifier}"), "manifests")
        if answer.status != 200:
            raise BadResponse(f"unexpected HTTP {answer.status} for a manifest")
        return ManifestDetails.from_api(answer.json(), meta=answer.meta)

    @staticmethod
    def _manifest_result(answer: Answer) -> ManifestResult:
        if answer.status not in (200, 201, 202):
            raise BadResponse(f"unexpected HTTP {answer.status} for a manifest")
        return ManifestResult.from_api(answer.json(), ready=answer.status != 202, meta=answer.meta)


def _manifest_number(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a manifest number is a non-negative integer")
    return value


def merge_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """One PDF with every page of `pdfs`, in order (labels of more than 100 orders)."""
    import pypdfium2 as pdfium  # lazy: only label batches over 100 orders need it

    merged = pdfium.PdfDocument.new()
    try:
        for data in pdfs:
            source = pdfium.PdfDocument(data)
            try:
                merged.import_pages(source)
            finally:
                source.close()
        out = io.BytesIO()
        merged.save(out)
    except pdfium.PdfiumError as exc:
        raise BadResponse(f"a label PDF could not be read ({one_line(str(exc), 80)})") from None
    finally:
        merged.close()
    return out.getvalue()
