use super::*;

#[test]
fn base64_matches_rfc_4648_test_vectors() {
    for (raw, enc) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(raw.as_bytes()), enc);
    }
}

/// Every value is escaped: markup in a scenario's name, a headline, a chart's title or a comment
/// is shown as text; the page is the same bytes every time.
#[test]
fn values_are_escaped_and_the_page_is_stable() {
    let chart = Chart {
        file: "a.svg".into(),
        svg: br#"<svg width="960" height="560" viewBox="0 0 960 560" xmlns="http://www.w3.org/2000/svg"></svg>"#.to_vec(),
        title: "Peak <b>now</b>".into(),
        subtitle: "a \"quoted\" 'one'".into(),
    };
    let page = Page {
        scenario: "<script>x</script>".into(),
        kind: "Run",
        description: Some("A & B".into()),
        headlines: vec![chart.title.clone()],
        tables: vec![],
        charts: vec![view(&chart)],
        inputs: inputs::inputs("# <i>c</i>\nname = \"x\" # </td>\n"),
        scenario_file: "s.toml".into(),
        provenance: vec![["Seed".into(), "1".into()]],
    };
    let a = String::from_utf8(render(&page).unwrap()).unwrap();
    assert_eq!(render(&page).unwrap(), a.as_bytes());
    assert!(!a.contains("<script>") && !a.contains("<b>") && !a.contains("<i>"));
    assert!(a.contains("<h1>&lt;script&gt;x&lt;&#x2f;script&gt;</h1>"));
    assert!(a.contains("<li>Peak &lt;b&gt;now&lt;&#x2f;b&gt;</li>"));
    assert!(a.contains("A &amp; B"));
    assert!(a.contains("&lt;&#x2f;td&gt;"));
    assert!(a.contains(r#"width="960" height="560""#));
    assert!(a.contains(&format!(
        "src=\"data:image/svg+xml;base64,{}\"",
        base64(&chart.svg)
    )));
    assert!(a.contains(
        "alt=\"Chart: Peak &lt;b&gt;now&lt;&#x2f;b&gt;. a &quot;quoted&quot; &#x27;one&#x27;\""
    ));
    assert!(
        !a.contains("http"),
        "the chart's namespace is inside its base64"
    );
    // The charts' font asks for its notice in every copy: the page that holds them has it.
    assert!(a.contains("<details>"));
    assert!(a.contains("Copyright (c) 2003 by Bitstream, Inc. All Rights Reserved."));
    assert!(a.contains("Permission is hereby granted, free of charge"));
}
