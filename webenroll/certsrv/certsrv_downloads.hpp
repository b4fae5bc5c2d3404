#pragma once
// certsrv's files: certnew.cer (an issued certificate, or the CA's with ReqID=CACert),
// certnew.p7b (the same with its chain, PKCS #7 certs-only) and certcrl.crl (the CA's latest
// base or delta CRL). Enc=bin is DER, Enc=b64 PEM.
#include <httplib.h>

#include "webenroll/web_app.hpp"

namespace pkilab::web::certsrv {

void send_certificate(const WebServices& s, const WebRequest& r, httplib::Response& res);  // certnew.cer
void send_chain(const WebServices& s, const WebRequest& r, httplib::Response& res);        // certnew.p7b
void send_crl(const WebServices& s, const WebRequest& r, httplib::Response& res);          // certcrl.crl

}  // namespace pkilab::web::certsrv
