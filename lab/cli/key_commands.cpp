// pkilab key new, pkilab csr new: helpers to make a key and a request for a lab user.
#include "ca/keys/key.hpp"
#include "ca/keys/key_file.hpp"
#include "ca/x509/csr.hpp"
#include "lab/cli/cli.hpp"

namespace pkilab::cli {

void add_key_commands(CLI::App& app, Cli& cli) {
    struct KeyArgs { std::string type = "ecdsa-p256", out; };
    auto k = std::make_shared<KeyArgs>();
    auto* key = app.add_subcommand("key", "Make keys for lab users");
    key->require_subcommand(1);
    auto* key_new = key->add_subcommand("new", "Generate a private key (PKCS#8 PEM, mode 0600)");
    key_new->add_option("--type", k->type, "rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384, ecdsa-p521, ed25519");
    key_new->add_option("--out", k->out, "Output file")->required();
    key_new->callback([&cli, k] {
        ossl::PkeyPtr pkey = generate_key(parse_key_spec(k->type, "--type"));
        write_output_file(k->out, private_key_to_pem(pkey.get()), true);
        cli.emit({{"file", k->out}, {"type", to_string(parse_key_spec(k->type, "--type"))}}, "Wrote " + k->out + "\n");
    });

    struct CsrArgs { std::string key, subject, out; std::vector<std::string> sans; };
    auto c = std::make_shared<CsrArgs>();
    auto* csr = app.add_subcommand("csr", "Make certificate requests for lab users");
    csr->require_subcommand(1);
    auto* csr_new = csr->add_subcommand("new", "Make a PKCS#10 request signed by a key");
    csr_new->add_option("--key", c->key, "Private key file (PEM)")->required();
    csr_new->add_option("--subject", c->subject, "Subject DN, e.g. \"CN=www.lab.test, O=Lab\"");
    csr_new->add_option("--san", c->sans, "dns:NAME, ip:ADDR, email:ADDR, uri:URI, upn:NAME (repeatable)");
    csr_new->add_option("--out", c->out, "Output file (- for stdout)")->default_val("-");
    csr_new->callback([&cli, c] {
        ossl::PkeyPtr pkey = load_private_key(c->key, std::nullopt);
        std::vector<GeneralName> sans;
        for (const auto& s : c->sans) sans.push_back(parse_general_name(s, "--san"));
        ossl::X509ReqPtr req = make_csr(pkey.get(), c->subject, sans);
        write_output_file(c->out, csr_to_pem(req.get()));
        if (c->out != "-") cli.emit({{"file", c->out}}, "Wrote " + c->out + "\n");
    });
}

}  // namespace pkilab::cli
