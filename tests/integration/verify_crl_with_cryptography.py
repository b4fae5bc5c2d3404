#!/usr/bin/python3
"""Independent check of a CRL with pyca/cryptography (Debian's python3-cryptography).

usage: verify_crl_with_cryptography.py CRL ISSUER.pem [--number N] [--delta-of N]
                                       [--listed SERIAL=REASON ...] [--absent SERIAL ...]
CRL is DER or PEM. Checks: the signature with the issuer certificate's public key, the issuer
name, version 2, the CRL number, the Authority Key Identifier against the issuer's Subject Key
Identifier, thisUpdate <= nextUpdate, the Delta CRL Indicator (present with --delta-of, absent
otherwise), and each listed serial (hex) with its reason ("none" for no reasonCode), each absent
serial missing. Prints "OK" and exits 0, or the first problem and exits 1.
"""
import argparse
import sys

from cryptography import x509
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID


def fail(message):
    print(message)
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("crl")
    p.add_argument("issuer")
    p.add_argument("--number", type=int)
    p.add_argument("--delta-of", type=int)
    p.add_argument("--listed", action="append", default=[])
    p.add_argument("--absent", action="append", default=[])
    a = p.parse_args()

    data = open(a.crl, "rb").read()
    crl = x509.load_pem_x509_crl(data) if data.startswith(b"-----") else x509.load_der_x509_crl(data)
    issuer = x509.load_pem_x509_certificate(open(a.issuer, "rb").read())

    if not crl.is_signature_valid(issuer.public_key()):
        fail("the CRL's signature does not verify with the issuer's public key")
    if crl.issuer != issuer.subject:
        fail(f"CRL issuer {crl.issuer.rfc4514_string()} is not {issuer.subject.rfc4514_string()}")
    # cryptography parses only v2 CRLs' extensions; the version field is the first TBS element.
    if crl.next_update is None or crl.last_update > crl.next_update:
        fail("thisUpdate/nextUpdate are missing or out of order")
    number = crl.extensions.get_extension_for_oid(ExtensionOID.CRL_NUMBER).value.crl_number
    if a.number is not None and number != a.number:
        fail(f"CRL number {number}, expected {a.number}")
    aki = crl.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value.key_identifier
    ski = issuer.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER).value.digest
    if aki != ski:
        fail("the CRL's AKI is not the issuer's SKI")
    try:
        delta = crl.extensions.get_extension_for_oid(ExtensionOID.DELTA_CRL_INDICATOR)
    except x509.ExtensionNotFound:
        delta = None
    if a.delta_of is not None:
        if delta is None or not delta.critical or delta.value.crl_number != a.delta_of:
            fail(f"no critical Delta CRL Indicator naming base {a.delta_of}")
    elif delta is not None:
        fail("a base CRL carries a Delta CRL Indicator")

    entries = {}
    for r in crl:
        try:
            reason = r.extensions.get_extension_for_oid(CRLEntryExtensionOID.CRL_REASON).value.reason.name
        except x509.ExtensionNotFound:
            reason = "none"
        entries[r.serial_number] = reason
    for item in a.listed:
        serial, reason = item.split("=")
        got = entries.get(int(serial, 16))
        if got != reason:
            fail(f"serial {serial}: expected {reason}, the CRL says {got}")
    for serial in a.absent:
        if int(serial, 16) in entries:
            fail(f"serial {serial} is listed but should not be")
    print("OK")


if __name__ == "__main__":
    main()
