#include "server/http/tls.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/base/log.h"

namespace allot::http {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// The PEM text that `write` puts into a memory BIO; nullopt when it fails.
std::optional<std::string> ToPem(const std::function<bool(BIO*)>& write) {
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(BIO_new(BIO_s_mem()));
  if (!bio || !write(bio.get())) return std::nullopt;
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return std::nullopt;
  return std::string(data, static_cast<size_t>(size));
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// A file written in full beside its final name, not yet renamed there.
// Destroying it removes the temporary file unless Commit succeeded.
class PendingFile {
 public:
  ~PendingFile() {
    if (!temp_.empty()) ::unlink(temp_.c_str());
  }

  // Writes `contents` to a new temporary file in the directory of `path`,
  // with exactly `mode` (fchmod: the umask does not apply), and fsyncs it.
  // Fails naming the file and the system's reason (a full disk: ENOSPC or
  // EFBIG), leaving no temporary file behind.
  Status Write(const std::string& path, const std::string& contents, mode_t mode) {
    path_ = path;
    std::string templ = path + ".tmp-XXXXXX";
    const int fd = ::mkostemp(templ.data(), O_CLOEXEC);
    if (fd < 0) return Fail(ErrorCode::kUnavailable, Errno("cannot create", templ));
    temp_ = templ;
    Status status = Ok();
    if (::fchmod(fd, mode) != 0) status = Fail(ErrorCode::kUnavailable, Errno("cannot chmod", temp_));
    for (size_t done = 0; status && done < contents.size();) {
      const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = ENOSPC;
        status = Fail(ErrorCode::kUnavailable, Errno("cannot write", temp_));
        break;
      }
      done += static_cast<size_t>(n);
    }
    if (status && ::fsync(fd) != 0) status = Fail(ErrorCode::kUnavailable, Errno("cannot sync", temp_));
    if (::close(fd) != 0 && status) status = Fail(ErrorCode::kUnavailable, Errno("cannot write", temp_));
    return status;
  }

  // Renames the temporary file to its final name.
  Status Commit() {
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      return Fail(ErrorCode::kUnavailable, Errno("cannot rename " + temp_ + " to", path_));
    }
    temp_.clear();
    return Ok();
  }

 private:
  std::string path_;
  std::string temp_;  // "" once renamed (or never created)
};

// Makes the renames in `dir` durable.
void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// True when both files load and the key belongs to the certificate.
bool LoadsAsPair(const CertificatePaths& paths) {
  struct Closer {
    void operator()(FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<FILE, Closer> cert_file(std::fopen(paths.cert_file.c_str(), "re"));
  std::unique_ptr<FILE, Closer> key_file(std::fopen(paths.key_file.c_str(), "re"));
  if (!cert_file || !key_file) return false;
  CertPtr cert(PEM_read_X509(cert_file.get(), nullptr, nullptr, nullptr));
  KeyPtr key(PEM_read_PrivateKey(key_file.get(), nullptr, nullptr, nullptr));
  return cert && key && X509_check_private_key(cert.get(), key.get()) == 1;
}

}  // namespace

Result<CertificatePaths> EnsureSelfSignedCertificate(const std::string& dir) {
  CertificatePaths paths{dir + "/cert.pem", dir + "/key.pem"};
  std::error_code ec;
  const bool cert_exists = std::filesystem::exists(paths.cert_file, ec);
  const bool key_exists = std::filesystem::exists(paths.key_file, ec);
  if (cert_exists && key_exists) {
    if (LoadsAsPair(paths)) return paths;
    // Left by an older version that could leave a half-written pair on a
    // full disk; this material is generated, so it is generated again.
    log::Warn("the development certificate does not load; creating a new one",
              {{"cert", paths.cert_file}});
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidRequest,
                "cannot create the certificate directory " + dir + ": " + ec.message());
  }
  ::chmod(dir.c_str(), 0700);  // only allot reads it; best effort, like the data directory

  KeyPtr key(EVP_EC_gen("P-256"));
  CertPtr cert(X509_new());
  if (!key || !cert) return Fail(ErrorCode::kInternal, "OpenSSL could not create a key");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Fail(ErrorCode::kInternal, "no randomness");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("allot development"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
      !AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return Fail(ErrorCode::kInternal, "OpenSSL could not sign the certificate");
  }

  const std::optional<std::string> key_pem = ToPem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  });
  const std::optional<std::string> cert_pem =
      ToPem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()) == 1; });
  if (!key_pem || !cert_pem) return Fail(ErrorCode::kInternal, "OpenSSL could not encode the certificate");

  // Both files are written in full and synced before either is renamed into
  // place, so a full disk leaves the previous state (usually nothing), never
  // an empty or half-written file; renames need no space.
  auto failed = [&](const Error& e) {
    return Fail(e.code, "cannot write the development certificate in " + dir + " (" + e.message +
                            "); free some space, or give --tls-cert and --tls-key");
  };
  PendingFile key_file, cert_file;
  if (auto s = key_file.Write(paths.key_file, *key_pem, 0600); !s) return failed(s.error());
  if (auto s = cert_file.Write(paths.cert_file, *cert_pem, 0644); !s) return failed(s.error());
  if (auto s = key_file.Commit(); !s) return failed(s.error());
  if (auto s = cert_file.Commit(); !s) {
    ::unlink(paths.key_file.c_str());  // a key without its certificate is no pair
    return failed(s.error());
  }
  SyncDirectory(dir);
  log::Info("created a self-signed development certificate", {{"cert", paths.cert_file}});
  return paths;
}

}  // namespace allot::http
