//! Signed bearer tokens: verification against configured public keys (EdDSA or RS256 only) and,
//! for tests and demos, minting from a private key.
//!
//! A token's claims: `iss`, `aud`, `exp` (all checked), `sub` (the staff id), `role`
//! (`caseworker`, `team_leader`, `auditor`, `data_steward` or `intake_system`) and
//! `municipalities` (the municipality codes served). `alg: none` cannot be parsed, and only the
//! algorithms of the configured keys are accepted, so an HMAC token "signed" with a public key
//! is refused.

use std::time::{SystemTime, UNIX_EPOCH};

use barnvern_core::municipality::MunicipalityCode;
use barnvern_store::{Actor, Role};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The issuer a token must name unless configured otherwise.
pub const DEFAULT_ISSUER: &str = "barnvern";
/// The audience a token must name unless configured otherwise.
pub const DEFAULT_AUDIENCE: &str = "barnvern-case-service";

/// The role a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    /// A caseworker: the cases of the municipalities served.
    Caseworker,
    /// A team leader: like a caseworker.
    TeamLeader,
    /// An auditor: the access log only.
    Auditor,
    /// A data steward: no route of this service (research extracts run elsewhere).
    DataSteward,
    /// The integration that delivers reports of concern from Norway's national portal: the
    /// intake route only, for the municipalities named in its token.
    IntakeSystem,
}

impl TokenRole {
    /// The snake_case name, as in the token.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Caseworker => "caseworker",
            TokenRole::TeamLeader => "team_leader",
            TokenRole::Auditor => "auditor",
            TokenRole::DataSteward => "data_steward",
            TokenRole::IntakeSystem => "intake_system",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<TokenRole> {
        [
            TokenRole::Caseworker,
            TokenRole::TeamLeader,
            TokenRole::Auditor,
            TokenRole::DataSteward,
            TokenRole::IntakeSystem,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The claims of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The staff id (no identity number).
    pub sub: String,
    /// The role.
    pub role: TokenRole,
    /// The municipalities served.
    #[serde(default)]
    pub municipalities: Vec<String>,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expires at (seconds since the epoch).
    pub exp: u64,
}

/// Who made a request, from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's role.
    pub role: TokenRole,
    /// The actor handed to the store.
    pub actor: Actor,
}

/// Why a token was refused. The codes are stable; no message holds the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header (or session cookie on the page).
    #[error("this request needs a bearer token (auth.token_missing)")]
    Missing,
    /// The token has expired.
    #[error("the token has expired (auth.token_expired)")]
    Expired,
    /// The token is malformed, forged, signed with an algorithm that is not accepted, or names
    /// another issuer or audience.
    #[error("the token is not valid: {0} (auth.token_invalid)")]
    Invalid(&'static str),
    /// The claims are not usable (unknown municipality, a caseworker serving none).
    #[error("the token's claims are not usable: {0} (auth.claims_invalid)")]
    Claims(String),
}

impl AuthError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "auth.token_missing",
            AuthError::Expired => "auth.token_expired",
            AuthError::Invalid(_) => "auth.token_invalid",
            AuthError::Claims(_) => "auth.claims_invalid",
        }
    }
}

/// A configuration error: a key file that holds no usable key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// Verifies tokens against one or more public keys.
pub struct Verifier {
    keys: Vec<(Algorithm, DecodingKey)>,
    issuer: String,
    audience: String,
}

impl Verifier {
    /// A verifier for the public keys in PEM text (one or more `PUBLIC KEY` blocks: Ed25519 for
    /// EdDSA, RSA for RS256).
    pub fn from_pem(pem: &str, issuer: &str, audience: &str) -> Result<Verifier, KeyError> {
        let mut keys = Vec::new();
        for block in pem_blocks(pem) {
            if let Ok(k) = DecodingKey::from_ed_pem(block.as_bytes()) {
                keys.push((Algorithm::EdDSA, k));
            } else if let Ok(k) = DecodingKey::from_rsa_pem(block.as_bytes()) {
                keys.push((Algorithm::RS256, k));
            } else {
                return Err(KeyError(
                    "a block of the public key file is neither an Ed25519 nor an RSA public key \
                     in PEM (server.key_invalid)"
                        .into(),
                ));
            }
        }
        if keys.is_empty() {
            return Err(KeyError(
                "the public key file holds no PEM `PUBLIC KEY` block (server.key_invalid)".into(),
            ));
        }
        Ok(Verifier {
            keys,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    /// Verifies a token and returns the caller, with `purpose` as the actor's purpose.
    pub fn verify(&self, token: &str, purpose: &str) -> Result<Caller, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| {
            AuthError::Invalid("the header is malformed or names no accepted algorithm")
        })?;
        if !matches!(header.alg, Algorithm::EdDSA | Algorithm::RS256) {
            return Err(AuthError::Invalid(
                "only EdDSA and RS256 signatures are accepted",
            ));
        }
        let mut last = AuthError::Invalid("no configured key has the token's algorithm");
        for (alg, key) in self.keys.iter().filter(|(a, _)| *a == header.alg) {
            let mut v = Validation::new(*alg);
            v.set_issuer(&[&self.issuer]);
            v.set_audience(&[&self.audience]);
            v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            v.leeway = 30;
            match jsonwebtoken::decode::<Claims>(token, key, &v) {
                Ok(data) => return caller(data.claims, purpose),
                Err(e) => {
                    last = match e.kind() {
                        ErrorKind::ExpiredSignature => return Err(AuthError::Expired),
                        ErrorKind::InvalidIssuer => AuthError::Invalid("wrong issuer"),
                        ErrorKind::InvalidAudience => AuthError::Invalid("wrong audience"),
                        ErrorKind::ImmatureSignature => AuthError::Invalid("not valid yet"),
                        ErrorKind::InvalidSignature => AuthError::Invalid("bad signature"),
                        ErrorKind::MissingRequiredClaim(_) | ErrorKind::InvalidClaimFormat(_) => {
                            AuthError::Invalid("a required claim is missing or malformed")
                        }
                        ErrorKind::Json(_) => AuthError::Invalid("the claims are malformed"),
                        _ => AuthError::Invalid("the token could not be verified"),
                    }
                }
            }
        }
        Err(last)
    }
}

/// Splits PEM text into its `-----BEGIN ... END-----` blocks.
fn pem_blocks(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in pem.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            cur = Some(format!("{line}\n"));
        } else if let Some(c) = cur.as_mut() {
            c.push_str(line);
            c.push('\n');
            if line.starts_with("-----END ") {
                out.extend(cur.take());
            }
        }
    }
    out
}

fn caller(claims: Claims, purpose: &str) -> Result<Caller, AuthError> {
    let mut municipalities = Vec::new();
    for m in &claims.municipalities {
        let code: MunicipalityCode = m.parse().map_err(|_| {
            AuthError::Claims("a municipality is not a known four-digit code".into())
        })?;
        municipalities.push(code);
    }
    // An intake system acts on the store as a caseworker of its municipalities (the store's
    // roles are staff roles); this service lets it call the intake route and nothing else, and
    // its staff id is prefixed so the access log tells it apart.
    let (role, staff_id) = match claims.role {
        TokenRole::Caseworker => (Role::Caseworker, claims.sub.clone()),
        TokenRole::TeamLeader => (Role::TeamLeader, claims.sub.clone()),
        TokenRole::Auditor => (Role::Auditor, claims.sub.clone()),
        TokenRole::DataSteward => (Role::DataSteward, claims.sub.clone()),
        TokenRole::IntakeSystem => (Role::Caseworker, format!("system:{}", claims.sub)),
    };
    let actor = Actor {
        staff_id,
        role,
        municipalities,
        purpose: purpose.to_owned(),
    };
    actor
        .check()
        .map_err(|e| AuthError::Claims(e.to_string()))?;
    Ok(Caller {
        role: claims.role,
        actor,
    })
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Signs tokens with a private key (Ed25519 PKCS#8 or RSA, in PEM): `barnvern token`, tests and
/// the demo. In production the municipality's identity provider issues the tokens.
pub struct Minter {
    alg: Algorithm,
    key: EncodingKey,
    issuer: String,
    audience: String,
}

impl Minter {
    /// A minter for a private key in PEM.
    pub fn from_pem(pem: &str, issuer: &str, audience: &str) -> Result<Minter, KeyError> {
        let (alg, key) = if let Ok(k) = EncodingKey::from_ed_pem(pem.as_bytes()) {
            (Algorithm::EdDSA, k)
        } else if let Ok(k) = EncodingKey::from_rsa_pem(pem.as_bytes()) {
            (Algorithm::RS256, k)
        } else {
            return Err(KeyError(
                "the private key file is neither an Ed25519 (PKCS#8) nor an RSA private key in \
                 PEM (server.key_invalid)"
                    .into(),
            ));
        };
        Ok(Minter {
            alg,
            key,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    /// A signed token for `staff_id` in `role`, serving `municipalities`, valid for
    /// `valid_secs` from now.
    pub fn mint(
        &self,
        staff_id: &str,
        role: TokenRole,
        municipalities: &[String],
        valid_secs: u64,
    ) -> Result<String, KeyError> {
        let now = now_secs();
        self.mint_claims(&Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: staff_id.to_owned(),
            role,
            municipalities: municipalities.to_vec(),
            iat: now,
            exp: now + valid_secs,
        })
    }

    /// A signed token with exactly these claims (tests use it for expired tokens).
    pub fn mint_claims(&self, claims: &Claims) -> Result<String, KeyError> {
        jsonwebtoken::encode(&Header::new(self.alg), claims, &self.key)
            .map_err(|e| KeyError(format!("the token could not be signed: {e}")))
    }
}

/// A fresh Ed25519 key pair: (private key PKCS#8 PEM, public key SPKI PEM).
pub fn generate_ed25519() -> Result<(String, String), KeyError> {
    let secret: [u8; 32] = rand::random();
    let signing = ed25519_dalek::SigningKey::from_bytes(&secret);
    let private = signing
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError(format!("the key could not be encoded: {e}")))?;
    let public = signing
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError(format!("the key could not be encoded: {e}")))?;
    Ok((private.to_string(), public))
}
