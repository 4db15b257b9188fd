// dev only: print one JSON line per document, like yaml2json
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let input = std::fs::read(&path).unwrap();
    for d in svcpolicy::stream::split(&input).unwrap() {
        let body = std::str::from_utf8(&input[d.body.clone()]).unwrap();
        match svcpolicy::yaml::read(body) {
            Ok(Some(serde_json::Value::Null)) | Ok(None) => {}
            Ok(Some(v)) => println!("{}", v),
            Err(e) => println!("ERROR doc {}: {} at {}", d.index, e.message, e.offset),
        }
    }
}
