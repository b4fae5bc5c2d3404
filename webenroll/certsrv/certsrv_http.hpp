#pragma once
// The HTTP edges certsrv's handlers share: one field of a form or query, taken once, and a
// certificate, chain or CRL written with the exact Content-Type certsrv clients compare.
#include <string>

#include <httplib.h>

#include "ca/bytes.hpp"

namespace pkilab::web::certsrv {

// The value of field `name` of a query or urlencoded form (or a multipart part); empty when
// absent. InputError when it is given more than once: which one the CA acted on would be
// anyone's guess.
std::string field(const httplib::Request& req, const char* name);

// A download: the bytes with `content_type` exactly (clients compare it whole, without
// parameters), as an attachment named `filename`, never cached nor sniffed.
void send_download(httplib::Response& res, ByteView content, const char* content_type, const char* filename);
void send_download(httplib::Response& res, const std::string& content, const char* content_type, const char* filename);

}  // namespace pkilab::web::certsrv
