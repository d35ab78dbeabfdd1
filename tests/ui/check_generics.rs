use prodready::{Context, Outcome};

#[prodready::check(item = "security.no-root-user")]
async fn not_root<T: Default>(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

fn main() {}
