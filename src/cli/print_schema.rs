//! `signpost print-schema`: the SDL that `schema.graphql` must equal.

pub fn run() {
    print!("{}", crate::graphql::sdl());
}
