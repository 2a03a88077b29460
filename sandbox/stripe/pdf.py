"""Invoice documents as Stripe hosts them: a small, valid, deterministic PDF and a plain
HTML page of the hosted invoice."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from sandbox.stripe.catalog import format_money
from sandbox.stripe.objects import ACCOUNT_NAME, Json


def invoice_pdf(invoice: Json) -> bytes:
    return render_pdf(invoice_lines(invoice), title=f"Invoice {invoice['number']}")


def invoice_lines(invoice: Json) -> list[str]:
    currency = invoice["currency"]
    text = [
        ACCOUNT_NAME,
        "",
        f"Invoice {invoice['number']}",
        f"Status: {invoice['status']}",
        f"Date of issue: {_date(invoice['created'])}",
    ]
    if invoice["due_date"]:
        text.append(f"Date due: {_date(invoice['due_date'])}")
    text += ["", "Bill to:", invoice["customer_name"] or "", invoice["customer_email"] or "", ""]
    for line in invoice["lines"]["data"]:
        text.append(f"{line['description']}    {format_money(line['amount'], currency)}")
    text += [
        "",
        f"Total: {format_money(invoice['total'], currency)}",
        f"Amount due: {format_money(invoice['amount_due'], currency)} {currency.upper()}",
        f"Amount remaining: {format_money(invoice['amount_remaining'], currency)}",
    ]
    return text


def invoice_page(invoice: Json, pdf_url: str) -> str:
    rows = "".join(
        f"<li>{html.escape(line['description'])}: "
        f"{html.escape(format_money(line['amount'], invoice['currency']))}</li>"
        for line in invoice["lines"]["data"]
    )
    amount = format_money(invoice["amount_due"], invoice["currency"])
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Invoice {html.escape(invoice['number'] or '')}</title></head><body>"
        f"<h1>{html.escape(ACCOUNT_NAME)}: invoice {html.escape(invoice['number'] or '')}</h1>"
        f"<p>Billed to {html.escape(invoice['customer_name'] or '')}</p>"
        f"<p>Status: {html.escape(invoice['status'])}</p><ul>{rows}</ul>"
        f"<p>Amount due: <strong>{html.escape(amount)}</strong></p>"
        f"<p><a href='{html.escape(pdf_url)}'>Download invoice</a></p></body></html>"
    )


def render_pdf(lines: list[str], *, title: str) -> bytes:
    """A one-page PDF 1.4 of text lines in Helvetica (WinAnsi; other characters become '?')."""
    text = "".join(f"({_pdf_text(line)}) Tj T*\n" for line in lines[:50])
    content = f"BT /F1 11 Tf 16 TL 56 780 Td\n{text}ET\n".encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        f"<< /Title ({_pdf_text(title)}) /Producer (Stripe sandbox) >>".encode("cp1252", "replace"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (
        len(objects) + 1,
        len(objects),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pdf_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%B %d, %Y")
