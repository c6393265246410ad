"""The municipality's bank, as far as its files go: it reads a pain.001.001.03 credit transfer
initiation and answers with the camt.054.001.02 debit notification it would send back after
executing it. Every transaction is booked, except those whose end-to-end id or creditor account is
listed in `rejected` (with an ISO 20022 return reason, e.g. AC01 "incorrect account number").

Used by `make prodlike`'s journey test and by hand:
`python -m demo.simulators.bank pain001.xml > camt054.xml` (add `--reject E2EID=AC04`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from lxml import etree

CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _find(element: etree._Element, name: str) -> list[etree._Element]:
    return [e for e in element.iter() if isinstance(e.tag, str) and _local(e) == name]


def _text(element: etree._Element, name: str) -> str:
    found = _find(element, name)
    return (found[0].text or "").strip() if found else ""


def camt054_for(
    pain001: bytes, *, rejected: Mapping[str, str] | None = None, booked_on: str = ""
) -> bytes:
    """The notification for every transaction of `pain001`; `rejected` maps an end-to-end id or
    a creditor account (as written in the file) to a return reason code."""
    rejected = rejected or {}
    document = etree.fromstring(pain001, _PARSER)
    now = datetime.now(UTC)
    booked_on = booked_on or now.date().isoformat()
    message_id = _text(document, "MsgId")
    debtor_account = ""
    entries = []
    for info in _find(document, "PmtInf"):
        debtor = _find(info, "DbtrAcct")
        debtor_account = _text(debtor[0], "IBAN") if debtor else debtor_account
        for number, transaction in enumerate(_find(info, "CdtTrfTxInf"), start=1):
            end_to_end = _text(transaction, "EndToEndId")
            amount = _text(transaction, "InstdAmt")
            creditor = _find(transaction, "CdtrAcct")
            creditor_account = ""
            if creditor:
                creditor_account = _text(creditor[0], "IBAN") or _text(creditor[0], "Id")
            code = rejected.get(end_to_end) or rejected.get(creditor_account, "")
            returned = f"<RtrInf><Rsn><Cd>{escape(code)}</Cd></Rsn></RtrInf>" if code else ""
            entries.append(
                f"<Ntry><NtryRef>{number}</NtryRef><Amt Ccy='SEK'>{escape(amount)}</Amt>"
                f"<CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
                f"<BookgDt><Dt>{booked_on}</Dt></BookgDt><ValDt><Dt>{booked_on}</Dt></ValDt>"
                "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>"
                f"{'RRTN' if code else 'DMCT'}</SubFmlyCd></Fmly></Domn></BkTxCd>"
                "<NtryDtls><TxDtls><Refs>"
                f"<MsgId>{escape(message_id)}</MsgId><EndToEndId>{escape(end_to_end)}</EndToEndId>"
                f"</Refs><AmtDtls><TxAmt><Amt Ccy='SEK'>{escape(amount)}</Amt></TxAmt></AmtDtls>"
                f"{returned}</TxDtls></NtryDtls></Ntry>"
            )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><Document xmlns='{CAMT_NS}'>"
        "<BkToCstmrDbtCdtNtfctn><GrpHdr>"
        f"<MsgId>CAMT-{escape(message_id)}</MsgId><CreDtTm>{now:%Y-%m-%dT%H:%M:%S}</CreDtTm>"
        "</GrpHdr><Ntfctn>"
        f"<Id>{escape(message_id)}</Id><CreDtTm>{now:%Y-%m-%dT%H:%M:%S}</CreDtTm>"
        f"<Acct><Id><IBAN>{escape(debtor_account)}</IBAN></Id></Acct>"
        f"{''.join(entries)}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pain001", type=argparse.FileType("rb"))
    parser.add_argument("--reject", action="append", default=[], metavar="E2EID=CODE")
    args = parser.parse_args(argv)
    rejected = dict(item.split("=", 1) for item in args.reject)
    sys.stdout.buffer.write(camt054_for(args.pain001.read(), rejected=rejected))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
