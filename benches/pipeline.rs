//! Stage benchmarks: split, kind scan, parse, plan (with allocation), edit; and NodePort
//! allocation of 10,000 Services into a nearly full range. Whole-process runs against peers are
//! in `scripts/bench.sh`.
//!
//! Input: a 2,000-document Helm 3 stream from tools/bench/gen_manifest.py when python3 and
//! the script are there, else the corpus concatenated.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::path::Path;
use svcpolicy::input::cluster::ClusterState;
use svcpolicy::input::stream;
use svcpolicy::input::{self, Input};
use svcpolicy::policy;
use svcpolicy::{output, pipeline, plan, yaml};

const ALL_CLUSTER_IP: &str = "apiVersion: svcpolicy/v1\nkind: ServicePolicy\nrules:\n  - type: ClusterIP\n";

fn stream_2000() -> Vec<u8> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3").arg(repo.join("tools/bench/gen_manifest.py")).arg("2000").output();
    if let Some(out) = out.ok().filter(|o| o.status.success()) {
        return out.stdout;
    }
    let mut all = Vec::new();
    for e in std::fs::read_dir(repo.join("testdata/corpus")).expect("the corpus") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            all.extend(std::fs::read(p).unwrap());
        }
    }
    all
}

fn stages(c: &mut Criterion) {
    let input = stream_2000();
    let policy = policy::parse(ALL_CLUSTER_IP).unwrap();
    let mut g = c.benchmark_group("stages-2000-docs");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("split", |b| b.iter(|| stream::split(&input).unwrap().len()));
    let docs = stream::split(&input).unwrap();
    g.bench_function("read-every-document", |b| {
        b.iter(|| input::read(vec![Input { path: None, bytes: input.clone() }]).0[0].values.len())
    });
    let services: Vec<&str> = docs
        .iter()
        .map(|d| std::str::from_utf8(&input[d.body.clone()]).unwrap())
        .filter(|t| t.contains("kind: Service\n"))
        .collect();
    g.bench_function("parse-services", |b| b.iter(|| services.iter().filter(|t| yaml::read(t).is_ok()).count()));
    let (manifests, _) = input::read(vec![Input { path: None, bytes: input.clone() }]);
    g.bench_function("plan", |b| {
        b.iter(|| plan::plan(&manifests, &policy, "default", &ClusterState::default()).targets.values.len())
    });
    let planned = plan::plan(&manifests, &policy, "default", &ClusterState::default());
    g.bench_function("edit", |b| {
        b.iter_batched(
            svcpolicy::report::Report::default,
            |mut report| output::assemble(&manifests, &planned.targets, &mut report).len(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("whole-run", |b| {
        b.iter(|| {
            let svcpolicy::Outcome { manifests, targets, mut report, .. } = svcpolicy::process(
                vec![Input { path: None, bytes: input.clone() }],
                &policy,
                "default",
                &ClusterState::default(),
            );
            let outputs = pipeline::outputs(&manifests, &targets, &mut report).expect("the run is clean");
            outputs.iter().map(|o| o.to_bytes().len()).sum::<usize>()
        })
    });
    g.finish();
}

fn allocation(c: &mut Criterion) {
    // 10,000 NodePort Services, every fifth asking for a number another already holds, into a
    // range of 10,500 numbers: 95% full when done.
    let stream: String = (0..10_000)
        .map(|i| {
            let ask = if i % 5 == 0 { format!(", nodePort: {}", 20_000 + (i / 5) % 100) } else { String::new() };
            format!("---\napiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: n{}}}\nspec: {{type: NodePort, ports: [{{port: 80{ask}}}]}}\n", i % 50)
        })
        .collect();
    let policy =
        policy::parse("apiVersion: svcpolicy/v1\nkind: ServicePolicy\nnodePorts: {range: \"20000-30499\"}\n").unwrap();
    let (manifests, _) = input::read(vec![Input { path: None, bytes: stream.into_bytes() }]);
    let mut g = c.benchmark_group("allocation");
    g.sample_size(10);
    g.bench_function("10000-services-95pct-full-range", |b| {
        b.iter(|| {
            let p = plan::plan(&manifests, &policy, "default", &ClusterState::default());
            assert!(p.report.exit_code().is_success());
            p.targets.values.len()
        })
    });
    g.finish();
}

criterion_group!(benches, stages, allocation);
criterion_main!(benches);
