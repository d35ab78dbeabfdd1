use prodready::{Context, Outcome};

#[prodready::check(item = "security.no-root-user", timeout = "2 parsecs")]
async fn not_root(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

#[prodready::check(item = "security.image-signed", ttl = 10s)]
async fn signed(_ctx: &Context) -> Outcome {
    Outcome::pass("signed")
}

fn main() {}
