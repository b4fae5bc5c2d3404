#!/usr/bin/python3
"""Independent check of a certificate chain with pyca/cryptography (Debian's python3-cryptography).

usage: verify_with_cryptography.py LEAF.pem CHAIN.pem ROOT.pem
Checks every signature up the chain with the issuer's public key, validity periods, issuer/
subject linkage, AKI/SKI linkage and CA basicConstraints. Prints "OK" and exits 0, or prints
the first problem and exits 1.
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa


def load_all(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificates(f.read()) if hasattr(x509, "load_pem_x509_certificates") else _split(f)


def _split(f):
    f.seek(0)
    data = f.read()
    out = []
    marker = b"-----END CERTIFICATE-----"
    for block in data.split(marker):
        if b"-----BEGIN CERTIFICATE-----" in block:
            out.append(x509.load_pem_x509_certificate(block + marker))
    return out


def verify_signature(cert, issuer):
    key = issuer.public_key()
    sig_oid = cert.signature_algorithm_oid.dotted_string
    if isinstance(key, rsa.RSAPublicKey):
        if sig_oid == "1.2.840.113549.1.1.10":  # RSASSA-PSS
            verify_pss(cert, key)
        else:
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(cert.signature, cert.tbs_certificate_bytes)
    else:
        raise ValueError("unsupported issuer key type %r" % type(key))


def verify_pss(cert, key):
    # cryptography < 41 cannot read the hash from the PSS parameters; the signature can only
    # verify under the hash it was made with, so trying each SHA-2 hash is still a full check.
    try:
        hashes_to_try = [cert.signature_hash_algorithm]
    except Exception:  # noqa: BLE001 - UnsupportedAlgorithm on old versions
        hashes_to_try = [hashes.SHA256(), hashes.SHA384(), hashes.SHA512()]
    last = None
    for h in hashes_to_try:
        try:
            key.verify(cert.signature, cert.tbs_certificate_bytes,
                       padding.PSS(mgf=padding.MGF1(h), salt_length=padding.PSS.AUTO), h)
            return
        except Exception as e:  # noqa: BLE001
            last = e
    raise ValueError("RSASSA-PSS signature does not verify: %r" % last)


def ext(cert, cls):
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def main():
    leaf = load_all(sys.argv[1])[0]
    chain = load_all(sys.argv[2])
    root = load_all(sys.argv[3])[0]
    path = [leaf] + [c for c in chain if c.subject != leaf.subject and c != root] + [root]
    now = datetime.datetime.utcnow()
    for i, cert in enumerate(path):
        issuer = path[i + 1] if i + 1 < len(path) else root
        if cert.issuer != issuer.subject:
            return "issuer of %s is not the subject of the next certificate" % cert.subject.rfc4514_string()
        verify_signature(cert, issuer)
        if not (cert.not_valid_before <= now <= cert.not_valid_after):
            return "%s is outside its validity period" % cert.subject.rfc4514_string()
        aki = ext(cert, x509.AuthorityKeyIdentifier)
        ski = ext(issuer, x509.SubjectKeyIdentifier)
        if aki is not None and ski is not None and aki.key_identifier != ski.digest:
            return "AKI of %s does not match the issuer's SKI" % cert.subject.rfc4514_string()
        if cert is not leaf:
            bc = ext(cert, x509.BasicConstraints)
            if bc is None or not bc.ca:
                return "%s is used as an issuer but is not a CA" % cert.subject.rfc4514_string()
    # Parse every extension of the leaf strictly (raises on malformed ones).
    for e in leaf.extensions:
        _ = e.value
    print("OK")
    return None


if __name__ == "__main__":
    try:
        problem = main()
    except Exception as e:  # noqa: BLE001 - any failure is a verification failure
        problem = "%s: %s" % (type(e).__name__, e)
    if problem:
        print("FAIL: " + problem)
        sys.exit(1)
