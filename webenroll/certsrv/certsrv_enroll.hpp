#pragma once
// certfnsh.asp: a new request (Mode=newreq) taken from the form through the one issuance
// pipeline, or the status of one made before (Mode=chkpnd, and certckpn.asp?ReqID=N).
#include <cstdint>

#include <httplib.h>

#include "webenroll/certsrv/certsrv_pages.hpp"
#include "webenroll/web_app.hpp"

namespace pkilab::web::certsrv {

// POST certfnsh.asp. Like AD CS, every outcome of a submission is a 200 page (issued, pending,
// denied, or the request could not be read); only a form without a known Mode is a 400.
void finish_request(const WebServices& s, const WebRequest& r, httplib::Response& res);

// Request `id` of the certsrv CA as its status page shows it. NotFoundError when the caller may
// see no such request.
Disposition stored_disposition(const WebServices& s, const Caller& caller, std::int64_t id);

}  // namespace pkilab::web::certsrv
