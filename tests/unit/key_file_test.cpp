#include "ca/keys/key_file.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include <openssl/pem.h>

#include "ca/errors.hpp"
#include "ca/keys/key.hpp"

namespace pkilab {
namespace {

namespace fs = std::filesystem;

class KeyFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("pkilab-key-file-test-" + std::to_string(getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        key_ = generate_key(parse_key_spec("ecdsa-p256"));
    }
    void TearDown() override { fs::remove_all(dir_); }

    static std::string slurp(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    static mode_t mode_of(const fs::path& p) {
        struct stat st {};
        ::stat(p.c_str(), &st);
        return st.st_mode & 07777;
    }
    static InputError load_error(const fs::path& p, const std::optional<std::string>& pass) {
        try {
            load_private_key(p, pass);
        } catch (const InputError& e) {
            return e;
        }
        ADD_FAILURE() << "key loaded";
        return InputError("", "", "");
    }

    fs::path dir_;
    ossl::PkeyPtr key_;
};

TEST_F(KeyFile, UnencryptedRoundTripWithMode0600) {
    const auto path = dir_ / "ca.key";
    save_private_key(path, key_.get(), std::nullopt);
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_TRUE(slurp(path).starts_with("-----BEGIN PRIVATE KEY-----"));
    auto loaded = load_private_key(path, std::nullopt);
    EXPECT_EQ(EVP_PKEY_eq(loaded.get(), key_.get()), 1);
}

TEST_F(KeyFile, EncryptedRoundTripUsesPkcs8AndHidesThePassphrase) {
    const auto path = dir_ / "ca.key";
    const std::string pass = "correct horse battery";
    save_private_key(path, key_.get(), pass);
    const std::string text = slurp(path);
    EXPECT_TRUE(text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    EXPECT_EQ(text.find(pass), std::string::npos);
    auto loaded = load_private_key(path, pass);
    EXPECT_EQ(EVP_PKEY_eq(loaded.get(), key_.get()), 1);
}

TEST_F(KeyFile, EncryptionIsAes256CbcWithPbkdf2) {
    const auto path = dir_ / "ca.key";
    save_private_key(path, key_.get(), std::string("pw"));
    const std::string text = slurp(path);
    ossl::BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    ossl::Ptr<X509_SIG, X509_SIG_free> sig(PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr));
    ASSERT_NE(sig, nullptr);
    const X509_ALGOR* alg = nullptr;
    X509_SIG_get0(sig.get(), &alg, nullptr);
    ASSERT_EQ(OBJ_obj2nid(alg->algorithm), NID_pbes2);
    ossl::Ptr<PBE2PARAM, PBE2PARAM_free> pbe2(static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    ASSERT_NE(pbe2, nullptr);
    EXPECT_EQ(OBJ_obj2nid(pbe2->keyfunc->algorithm), NID_id_pbkdf2);
    EXPECT_EQ(OBJ_obj2nid(pbe2->encryption->algorithm), NID_aes_256_cbc);
}

TEST_F(KeyFile, WrongPassphraseNamesTheFileButNotThePassphrase) {
    const auto path = dir_ / "ca.key";
    save_private_key(path, key_.get(), std::string("right-one"));
    InputError e = load_error(path, std::string("wrong-one"));
    EXPECT_EQ(e.where(), path.string());
    EXPECT_EQ(e.field(), "passphrase");
    EXPECT_NE(e.problem().find("wrong passphrase"), std::string::npos) << e.problem();
    EXPECT_EQ(std::string(e.what()).find("wrong-one"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("right-one"), std::string::npos);
}

TEST_F(KeyFile, EncryptedKeyWithoutPassphraseIsRefused) {
    const auto path = dir_ / "ca.key";
    save_private_key(path, key_.get(), std::string("pw"));
    InputError e = load_error(path, std::nullopt);
    EXPECT_NE(e.problem().find("no passphrase was given"), std::string::npos) << e.problem();
}

TEST_F(KeyFile, GroupReadableKeyFileIsRefusedWithTheFix) {
    const auto path = dir_ / "ca.key";
    save_private_key(path, key_.get(), std::nullopt);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    InputError e = load_error(path, std::nullopt);
    EXPECT_EQ(e.where(), path.string());
    EXPECT_EQ(e.field(), "mode");
    EXPECT_NE(e.problem().find("0644"), std::string::npos) << e.problem();
    EXPECT_EQ(e.hint(), "chmod 600 " + path.string());
}

TEST_F(KeyFile, CorruptAndMissingFilesAreInputErrors) {
    const auto path = dir_ / "junk.key";
    write_file_atomically(path, "not a key\n", fs::perms::owner_read | fs::perms::owner_write);
    InputError e = load_error(path, std::nullopt);
    EXPECT_NE(e.problem().find("no PEM private key found"), std::string::npos) << e.problem();
    EXPECT_THROW(load_private_key(dir_ / "missing.key", std::nullopt), InputError);
}

TEST_F(KeyFile, AtomicWriteReplacesAndLeavesNoTempFiles) {
    const auto path = dir_ / "ca.crt";
    write_file_atomically(path, "first", fs::perms::owner_read | fs::perms::owner_write);
    write_file_atomically(path, "second",
                          fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    EXPECT_EQ(slurp(path), "second");
    EXPECT_EQ(mode_of(path), 0644u);
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_)) ++entries;
    EXPECT_EQ(entries, 1);
    EXPECT_THROW(write_file_atomically(dir_ / "no-such-dir" / "x", "x", fs::perms::owner_read), InputError);
}

TEST_F(KeyFile, PemHelpers) {
    EXPECT_TRUE(private_key_to_pem(key_.get()).starts_with("-----BEGIN PRIVATE KEY-----\n"));
    EXPECT_TRUE(public_key_to_pem(key_.get()).starts_with("-----BEGIN PUBLIC KEY-----\n"));
}

TEST_F(KeyFile, PassphraseFromFileDropsOneTrailingNewline) {
    const auto path = dir_ / "pass.txt";
    write_file_atomically(path, "s3cret\n", fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(resolve_passphrase({"file:" + path.string()}), "s3cret");
    write_file_atomically(path, "\n", fs::perms::owner_read | fs::perms::owner_write);
    try {
        resolve_passphrase({"file:" + path.string()});
        FAIL() << "empty passphrase accepted";
    } catch (const InputError& e) {
        EXPECT_NE(e.problem().find("empty"), std::string::npos) << e.problem();
    }
}

TEST(KeyPassphrase, FromEnvironment) {
    ::setenv("PKILAB_TEST_PASSPHRASE", "from-env", 1);
    EXPECT_EQ(resolve_passphrase({"env:PKILAB_TEST_PASSPHRASE"}), "from-env");
    ::setenv("PKILAB_TEST_PASSPHRASE", "", 1);
    EXPECT_THROW(resolve_passphrase({"env:PKILAB_TEST_PASSPHRASE"}), InputError);
    ::unsetenv("PKILAB_TEST_PASSPHRASE");
    try {
        resolve_passphrase({"env:PKILAB_TEST_PASSPHRASE"});
        FAIL() << "unset variable accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where(), "env:PKILAB_TEST_PASSPHRASE");
        EXPECT_NE(e.problem().find("PKILAB_TEST_PASSPHRASE is not set"), std::string::npos) << e.problem();
    }
}

TEST(KeyPassphrase, SourceSyntaxIsCheckedWithoutEchoingIt) {
    EXPECT_NO_THROW(check_passphrase_source("", "w"));
    EXPECT_NO_THROW(check_passphrase_source("env:CA_PASS", "w"));
    EXPECT_NO_THROW(check_passphrase_source("file:/run/secrets/ca", "w"));
    for (const char* bad : {"env:", "env:1ABC", "file:", "hunter2"}) {
        try {
            check_passphrase_source(bad, "cas[0].key_passphrase");
            FAIL() << "accepted " << bad;
        } catch (const InputError& e) {
            EXPECT_EQ(e.where(), "cas[0].key_passphrase");
            EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace pkilab
