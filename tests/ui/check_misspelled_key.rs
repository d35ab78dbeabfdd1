use prodready::{Context, Outcome};

#[prodready::check(item = "security.no-root-user", timout = "2s")]
async fn not_root(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

fn main() {}
