use prodready::{Context, Outcome};

// Every bad argument is reported at once.
#[prodready::check(
    item = "security.no-root-user",
    replaces_builtin = "yes",
    tags = "container",
    remediation = 5,
    depends_on = ["security.image-signed", 7],
)]
async fn not_root(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

fn main() {}
