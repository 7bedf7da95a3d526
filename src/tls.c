/*
 * tls: reads the negotiated parameters and the peer certificate. The
 * certificate is read even when libpq did not verify it (sslmode=require),
 * because an expiring certificate is worth knowing either way.
 */
#include "tls.h"
#include "text.h"
#include "util.h"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void tls_name(X509_NAME *name, char *out, size_t outlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;

	out[0] = '\0';
	if (bio == NULL)
		return;
	/* RFC 2253 form, most specific first: "CN=host,O=org". */
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(bio, &data);
	if (n > 0) {
		if ((size_t)n >= outlen)
			n = (long)text_boundary(data, (size_t)n, outlen - 1);
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(bio);
}

static void tls_read_cert(SSL *ssl, struct tls_info *out)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	const ASN1_TIME *not_after;
	struct tm tm;
	int days = 0, secs = 0;

	if (cert == NULL)
		return;
	out->have_cert = true;
	tls_name(X509_get_subject_name(cert), out->subject, sizeof(out->subject));
	tls_name(X509_get_issuer_name(cert), out->issuer, sizeof(out->issuer));
	not_after = X509_get0_notAfter(cert);
	if (not_after && ASN1_TIME_to_tm(not_after, &tm) == 1) {
		strftime(out->not_after, sizeof(out->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (ASN1_TIME_diff(&days, &secs, NULL, not_after) == 1)
			out->days_left = days;
	}
	X509_free(cert);
}

void tls_read(PGconn *conn, struct tls_info *out)
{
	const char *v;
	SSL *ssl;

	memset(out, 0, sizeof(*out));
	if (conn == NULL || !PQsslInUse(conn))
		return;
	out->in_use = true;
	text_copy(out->protocol, PQsslAttribute(conn, "protocol"), sizeof(out->protocol));
	text_copy(out->cipher, PQsslAttribute(conn, "cipher"), sizeof(out->cipher));
	v = PQsslAttribute(conn, "key_bits");
	out->bits = v ? atoi(v) : 0;
	ssl = PQsslStruct(conn, "OpenSSL");
	if (ssl)
		tls_read_cert(ssl, out);
}
