use prodready::{Context, Outcome};

#[prodready::check(severity = warning)]
async fn not_root(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

#[prodready::check]
async fn signed(_ctx: &Context) -> Outcome {
    Outcome::pass("signed")
}

fn main() {}
