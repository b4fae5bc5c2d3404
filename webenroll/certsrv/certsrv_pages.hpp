#pragma once
// certsrv's HTML. Where clients scrape a page, the text they look for is written exactly as
// AD CS writes it (docs/CERTSRV.md lists each string and the client that reads it):
//   certfnsh.asp issued   "certnew.cer?ReqID=N&"                      (magnuswatn/certsrv's regex)
//   certfnsh.asp pending  "Certificate Pending", "Your Request Id is N."
//   certfnsh.asp denied   "The disposition message is \"...\""
//   certnew.cer error     "Disposition message:" ... "\t\t" MESSAGE "\r\n"
//   certcarc.asp          "var nRenewals=N;"
// Everything that came from outside or from the store is escaped.
#include <cstdint>
#include <string>
#include <vector>

#include <httplib.h>

#include "ca/finding.hpp"
#include "ca/store/store.hpp"
#include "ca/template/template.hpp"
#include "webenroll/auth/caller.hpp"

namespace pkilab::web::certsrv {

// What happened to one request, as certfnsh.asp and certckpn.asp show it.
struct Disposition {
    RequestState state = RequestState::Denied;
    std::int64_t request_id = 0;  // 0: refused before the CA recorded a request
    std::string message;          // the disposition message
    Findings findings;            // the reasons and notes, listed under the message
    bool unreadable = false;      // the request could not be read (AD CS's "Error" page)
    bool checked_later = false;   // a status check, not the answer to the submission
    bool revoked = false;         // issued, then revoked or put on hold
};

std::string disposition_title(const Disposition& d);
// `notices`: plain text, shown above the outcome (the ignored SAN attribute).
std::string disposition_body(const Disposition& d, const std::vector<std::string>& notices);

// The download links of an issued request, in the shape certfnsh.asp's issued page has.
std::string certificate_links(std::int64_t request_id);

struct CaSummary {
    std::string name;
    std::string subject;
    bool deltas = false;
};

std::string home_body(const CaSummary& ca);
std::string request_type_body(const std::vector<const CertificateTemplate*>& templates);
// The advanced request form. `csrf_token` goes into a hidden field (sessions need it);
// `san_from_attributes`: the lab's web.san_from_request_attributes (ESC6), which the form warns of.
std::string advanced_form_body(const CaSummary& ca, const std::vector<const CertificateTemplate*>& templates,
                               const std::string& csrf_token, bool may_submit, bool san_from_attributes);
// certcarc.asp: the CA certificate, chain and CRL links, and `var nRenewals=N;` for clients.
std::string ca_downloads_body(const CaSummary& ca, unsigned renewals);
// certckpn.asp: the pending requests the caller may see, and a form to look one up.
std::string pending_list_body(const std::vector<RequestRecord>& pending, bool everyone, bool truncated);
// What certnew.cer, certnew.p7b and certcrl.crl answer instead of the file.
std::string retrieval_error_body(const std::string& what, const std::string& message);

// A certsrv page: the shared frame, the certsrv navigation.
void send_certsrv_page(httplib::Response& res, int status, const std::string& title, const std::string& body,
                       const Caller& caller);

}  // namespace pkilab::web::certsrv
