//! Work spread over the machine's cores, with results in input order: reading documents and
//! editing them are independent per document, and a large GitOps repository has thousands.

use std::num::NonZeroUsize;

/// Below this many items, threads cost more than they save.
const MIN_ITEMS: usize = 256;

/// Readers recurse as deep as documents nest, and Go lets them nest 10,000 levels: every thread
/// that reads gets this much stack (address space reserved, touched only as deep as a document
/// goes), rather than the 2 MiB spawned threads get by default.
pub const STACK: usize = 512 << 20;

/// `items.iter().map(f).collect()`, over up to as many threads as there are cores.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get).min(8);
    if threads == 1 || items.len() < MIN_ITEMS {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        // A part whose thread cannot start is done here instead.
        let parts: Vec<Result<_, Vec<R>>> = items
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(scope, move || part.iter().map(f).collect::<Vec<R>>())
                    .map_err(|_| part.iter().map(f).collect())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| match p {
                Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(done) => done,
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order() {
        let items: Vec<usize> = (0..10_000).collect();
        assert_eq!(super::map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }
}
