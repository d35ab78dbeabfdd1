use prodready::{Context, Outcome};

#[prodready::check(item = "security.no-root-user")]
async fn no_args() -> Outcome {
    Outcome::pass("uid 1000")
}

#[prodready::check(item = "security.image-signed")]
async fn two_args(_ctx: &Context, _extra: u32) -> Outcome {
    Outcome::pass("signed")
}

fn main() {}
