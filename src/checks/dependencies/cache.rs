//! Caching configured: the service's Redis answers `PING`, and its cache entries expire (keys
//! matching the declared pattern carry a TTL, or the server evicts by policy).

use crate::{Check, Context, Outcome};

/// Verifies the cache through the service's own `redis::Client` (given with `.redis(client)`).
pub fn caching_configured() -> CachingConfigured {
    CachingConfigured {
        key_pattern: None,
        sample: 100,
    }
}

/// The check built by [`caching_configured`].
#[derive(Debug, Clone)]
pub struct CachingConfigured {
    key_pattern: Option<String>,
    sample: usize,
}

/// The cache keys' pattern, given with `.resource(CacheKeys("cache:*".into()))` when the check is
/// the standard binding.
#[derive(Debug, Clone)]
pub struct CacheKeys(pub String);

impl CachingConfigured {
    /// The `SCAN MATCH` pattern of the cache's keys (`cache:*`).
    pub fn key_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.key_pattern = Some(pattern.into());
        self
    }

    /// How many matching keys to inspect at most (default 100).
    pub fn sample(mut self, sample: usize) -> Self {
        self.sample = sample.max(1);
        self
    }
}

#[async_trait::async_trait]
impl Check for CachingConfigured {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(client) = ctx.resource::<redis::Client>() else {
            return Outcome::warn(
                "no Redis client given, so the cache could not be checked: pass it with `.redis(client)`",
            )
            .remediation("give the service's redis 0.27 `Client` with `Readiness::builder().redis(client.clone())` (a client of another redis version is a compile error there); if the service has no cache, waive this item");
        };
        let mut con = match client.get_multiplexed_async_connection().await {
            Ok(c) => c,
            Err(e) => {
                return Outcome::fail(format!("cannot connect to Redis: {e}"))
                    .remediation("check the Redis address and credentials")
            }
        };
        match redis::cmd("PING").query_async::<String>(&mut con).await {
            Ok(p) if p == "PONG" => {}
            Ok(p) => return Outcome::fail(format!("Redis PING answered `{p}`")),
            Err(e) => return Outcome::fail(format!("Redis PING failed: {e}")),
        }
        let policy: Option<String> = redis::cmd("CONFIG")
            .arg("GET")
            .arg("maxmemory-policy")
            .query_async::<Vec<String>>(&mut con)
            .await
            .ok()
            .and_then(|v| v.into_iter().nth(1));
        let pattern = self
            .key_pattern
            .clone()
            .or_else(|| ctx.resource::<CacheKeys>().map(|k| k.0.clone()));
        let Some(pattern) = pattern else {
            let evicts = policy.as_deref().is_some_and(|p| p.starts_with("allkeys-"));
            let o = if evicts {
                Outcome::pass(format!(
                    "Redis answers PING and evicts any key (`maxmemory-policy` {})",
                    policy.as_deref().unwrap_or("")
                ))
            } else {
                Outcome::warn("Redis answers PING, but no cache key pattern is declared, so expiry cannot be verified")
                    .remediation("declare the cache's keys with `.resource(CacheKeys(\"cache:*\".into()))`, or set `maxmemory-policy allkeys-lru`")
            };
            return o.detail("maxmemory_policy", policy);
        };
        let mut keys: Vec<String> = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let step: Result<(u64, Vec<String>), _> = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut con)
                .await;
            match step {
                Ok((next, found)) => {
                    keys.extend(found);
                    cursor = next;
                }
                Err(e) => return Outcome::fail(format!("SCAN failed: {e}")),
            }
            if cursor == 0 || keys.len() >= self.sample {
                break;
            }
        }
        keys.truncate(self.sample);
        if keys.is_empty() {
            return Outcome::warn(format!(
                "Redis answers PING, but no key matches `{pattern}`"
            ))
            .remediation("check the declared key pattern, or verify again once the cache is warm")
            .detail("key_pattern", pattern);
        }
        let mut without_ttl = 0usize;
        for key in &keys {
            match redis::cmd("TTL")
                .arg(key)
                .query_async::<i64>(&mut con)
                .await
            {
                Ok(-1) => without_ttl += 1,
                Ok(_) => {}
                Err(e) => return Outcome::fail(format!("TTL failed: {e}")),
            }
        }
        let o = if without_ttl == 0 {
            Outcome::pass(format!(
                "all {} sampled `{pattern}` keys expire",
                keys.len()
            ))
        } else {
            Outcome::fail(format!(
                "{without_ttl} of {} sampled `{pattern}` keys have no TTL",
                keys.len()
            ))
            .remediation("write cache entries with an expiry (`SET key value EX seconds`)")
        };
        o.detail("key_pattern", pattern)
            .detail("sampled_keys", keys.len())
            .detail("keys_without_ttl", without_ttl)
            .detail("maxmemory_policy", policy)
    }
}
