//! The editor: a document that reads, edited to a target chosen by the fuzzer, either reads back
//! as exactly the target or is refused. Never anything else, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the edit, the rest is the document.
    if data.len() < 4 {
        return;
    }
    let (choice, doc) = data.split_at(4);
    let Ok(text) = std::str::from_utf8(doc) else { return };
    let Ok(Some(current)) = svcpolicy::yaml::read(text) else { return };
    let mut target = current.clone();
    let mut paths = Vec::new();
    collect(&current, &mut Vec::new(), &mut paths);
    let path = &paths[usize::from(choice[0]) % paths.len()];
    let value = match choice[1] % 6 {
        0 => Value::from("ClusterIP"),
        1 => Value::from(choice[2]),
        2 => Value::from("y"),
        3 => serde_json::json!({"k": ["on", 1, null]}),
        4 => Value::Null,
        _ => Value::from("multi\nline: #"),
    };
    match (choice[3] % 3, path.split_last()) {
        (0, _) | (_, None) => *at(&mut target, path) = value,
        (1, Some((last, parent))) => match at(&mut target, parent) {
            Value::Object(m) => {
                m.shift_remove(last);
            }
            Value::Array(a) => {
                a.remove(last.parse::<usize>().unwrap());
            }
            _ => {}
        },
        (_, Some(_)) => match at(&mut target, path) {
            Value::Object(m) => {
                m.insert(format!("new{}", choice[2]), value);
            }
            Value::Array(a) => a.push(value),
            other => *other = value,
        },
    }
    if let Ok(edited) = svcpolicy::yaml::edit_to(text, &current, &target) {
        assert_eq!(svcpolicy::yaml::read(&edited).ok().flatten(), Some(target), "edited:\n{edited}");
    }
});

fn collect(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    let children: Vec<(String, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, c)| (k.clone(), c)).collect(),
        Value::Array(a) => a.iter().enumerate().map(|(i, c)| (i.to_string(), c)).collect(),
        _ => return,
    };
    for (k, c) in children {
        prefix.push(k);
        collect(c, prefix, out);
        prefix.pop();
    }
}

fn at<'v>(v: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(v, |v, t| match v {
        Value::Object(m) => m.get_mut(t).unwrap(),
        Value::Array(a) => &mut a[t.parse::<usize>().unwrap()],
        _ => unreachable!(),
    })
}
