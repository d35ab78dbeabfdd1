use prodready::{check_fn, Outcome};

fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                "No root user" => check_fn(|_ctx| async { Outcome::pass("uid 1000") })
                "Image signed",
            }
        }
    };
}
