//! The service account named by a mounted service-account token: the JWT's payload is decoded
//! (signature not verified) and only the namespace and account name are read from it.
//!
//! Errors never quote the token or any claim: they say what shape was wrong.

use serde_json::Value;

/// The namespace and name of a service account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AccountClaims {
    pub(crate) namespace: Option<String>,
    pub(crate) name: Option<String>,
}

/// Reads the account from a token's claims: the bound-token `kubernetes.io` object, the legacy
/// `kubernetes.io/serviceaccount/…` claims, or `sub` (`system:serviceaccount:<ns>:<name>`), in
/// that order.
pub(crate) fn account_claims(token: &[u8]) -> Result<AccountClaims, &'static str> {
    let token = std::str::from_utf8(token)
        .map_err(|_| "it is not UTF-8")?
        .trim();
    let parts: Vec<&str> = token.split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err("it is not a JWT: expected three dot-separated parts");
    };
    let payload = decode_base64url(payload).ok_or("its payload is not base64url")?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|_| "its payload is not JSON")?;
    let claims = claims
        .as_object()
        .ok_or("its payload is not a JSON object")?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);

    let bound = claims.get("kubernetes.io");
    let mut account = AccountClaims {
        namespace: text(bound.and_then(|k| k.get("namespace"))),
        name: text(bound.and_then(|k| k.pointer("/serviceaccount/name"))),
    };
    if account.name.is_none() {
        account.name = text(claims.get("kubernetes.io/serviceaccount/service-account.name"));
    }
    if account.namespace.is_none() {
        account.namespace = text(claims.get("kubernetes.io/serviceaccount/namespace"));
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .and_then(|s| s.strip_prefix("system:serviceaccount:"))
        .and_then(|s| s.split_once(':'));
    if let Some((ns, name)) = sub {
        account.namespace.get_or_insert_with(|| ns.to_owned());
        account.name.get_or_insert_with(|| name.to_owned());
    }
    Ok(account)
}

/// Decodes base64url (or standard base64), padding optional.
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let normalized: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(normalized)
        .ok()
}

/// Test helpers: tokens shaped like the ones the kubelet mounts.
#[cfg(test)]
pub(crate) mod testing {
    /// base64url without padding.
    pub(crate) fn encode(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A JWT with an RS256 header, `claims` as payload and a made-up signature.
    pub(crate) fn jwt(claims: &serde_json::Value) -> String {
        let header = serde_json::json!({"alg": "RS256", "kid": "Xb0zn1tH3kq7Oa1Cw6oBvVp8bUc"});
        format!(
            "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
            encode(header.to_string().as_bytes()),
            encode(claims.to_string().as_bytes())
        )
    }

    /// The claims of a bound token the kubelet projects (Kubernetes 1.30).
    pub(crate) fn bound_claims(namespace: &str, account: &str) -> serde_json::Value {
        serde_json::json!({
            "aud": ["https://kubernetes.default.svc.cluster.local"],
            "exp": 1767225600,
            "iat": 1735689600,
            "iss": "https://kubernetes.default.svc.cluster.local",
            "jti": "0f8c5c1e-3d5a-4b8e-9a57-6f0e2d1c9b7a",
            "kubernetes.io": {
                "namespace": namespace,
                "node": {"name": "node-1", "uid": "5b8e1d2c-0000-4000-8000-000000000001"},
                "pod": {"name": "payments-7d9f8b6c5-x2x4z", "uid": "5b8e1d2c-0000-4000-8000-000000000002"},
                "serviceaccount": {"name": account, "uid": "5b8e1d2c-0000-4000-8000-000000000003"},
                "warnafter": 1735693207
            },
            "nbf": 1735689600,
            "sub": format!("system:serviceaccount:{namespace}:{account}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for input in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "\u{ff}\u{fe}?>",
        ] {
            let encoded = encode(input.as_bytes());
            assert_eq!(
                decode_base64url(&encoded).unwrap(),
                input.as_bytes(),
                "{encoded}"
            );
        }
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(decode_base64url("Zm9vYg==").unwrap(), b"foob");
        assert_eq!(decode_base64url("Zm9v!"), None);
        assert_eq!(decode_base64url("Zm9vY"), None);
    }

    #[test]
    fn reads_the_account_from_bound_legacy_and_sub_claims() {
        let token = jwt(&bound_claims("payments", "payments-api"));
        let account = account_claims(format!("{token}\n").as_bytes()).unwrap();
        assert_eq!(account.namespace.as_deref(), Some("payments"));
        assert_eq!(account.name.as_deref(), Some("payments-api"));

        let legacy = jwt(&serde_json::json!({
            "iss": "kubernetes/serviceaccount",
            "kubernetes.io/serviceaccount/namespace": "shop",
            "kubernetes.io/serviceaccount/secret.name": "default-token-abcde",
            "kubernetes.io/serviceaccount/service-account.name": "default",
            "sub": "system:serviceaccount:shop:default"
        }));
        let account = account_claims(legacy.as_bytes()).unwrap();
        assert_eq!(
            (account.namespace.as_deref(), account.name.as_deref()),
            (Some("shop"), Some("default"))
        );

        let sub_only = jwt(&serde_json::json!({"sub": "system:serviceaccount:ops:runner"}));
        let account = account_claims(sub_only.as_bytes()).unwrap();
        assert_eq!(
            (account.namespace.as_deref(), account.name.as_deref()),
            (Some("ops"), Some("runner"))
        );

        let other = jwt(&serde_json::json!({"sub": "user@example.com"}));
        assert_eq!(
            account_claims(other.as_bytes()).unwrap(),
            AccountClaims::default()
        );
    }

    #[test]
    fn malformed_tokens_are_described_without_their_contents() {
        assert_eq!(
            account_claims(b"s3cr3t-opaque-token"),
            Err("it is not a JWT: expected three dot-separated parts")
        );
        assert_eq!(
            account_claims(b"a.b!c.d"),
            Err("its payload is not base64url")
        );
        let not_json = format!("a.{}.c", encode(b"s3cr3t"));
        assert_eq!(
            account_claims(not_json.as_bytes()),
            Err("its payload is not JSON")
        );
        let array = format!("a.{}.c", encode(b"[1]"));
        assert_eq!(
            account_claims(array.as_bytes()),
            Err("its payload is not a JSON object")
        );
        assert_eq!(account_claims(&[0xff, b'.', b'.']), Err("it is not UTF-8"));
    }
}
