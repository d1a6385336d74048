//! What the probe checks in each application: TOPCAT, DS9 and Aladin, each through the
//! vocabulary's typed messages and its own private MTypes.

use super::*;

/// The data: `file:` URLs and paths.
pub(crate) struct Files {
    pub(crate) table: String,
    pub(crate) table_path: String,
    pub(crate) image: String,
    pub(crate) image_path: String,
}

pub(crate) async fn topcat(app: &App<'_>, files: &Files) {
    let (url, id) = (&files.table, format!("probe-{}", std::process::id()));
    app.expect_ok("samp.app.ping", SampAppPing::new()).await;
    let load = TableLoadVotable::new(url).table_id(&id).name("probe");
    app.expect_ok("table.load.votable", load).await;
    let missing = TableLoadVotable::new(MISSING_TABLE);
    app.expect_error("table.load.votable (missing file)", missing)
        .await;
    app.check("table.highlight.row (table-id)", async {
        // TOPCAT answers the load before the table is in its list: retry for a while.
        for tries in 1..20 {
            let response = app.call(TableHighlightRow::new(2u64).table_id(&id)).await?;
            if response.is_ok() {
                return Ok(format!("samp.ok (try {tries})"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        ok(app.call(TableHighlightRow::new(2u64).table_id(&id)).await?)
    })
    .await;
    let by_url = TableHighlightRow::new(3u64).url(url);
    app.expect_ok("table.highlight.row (url)", by_url).await;
    let unknown = TableHighlightRow::new(0u64).table_id("no-such-table");
    app.expect_error("table.highlight.row (unknown id)", unknown)
        .await;
    let select = TableSelectRowList::new(vec![0u64, 2, 4]).table_id(&id);
    app.expect_ok("table.select.rowList", select).await;
    app.check("coord.pointAt.sky", async {
        // With no sky plot open, TOPCAT cannot use a position and answers samp.warning.
        let response = app.call(CoordPointAtSky::new(83.64, 22.02)).await?;
        match response.status.as_str() {
            "samp.warning" => Ok(format!("samp.warning: {}", errortxt(&response))),
            _ => ok(response),
        }
    })
    .await;

    env_check(app).await;

    // TOPCAT itself sends only from its GUI; its STILTS (`topcat -stilts`) sends a table.
    app.check("STILTS sends table.load.votable", async {
        let input = format!("in={}", files.table_path);
        let mut stilts = std::process::Command::new("topcat");
        stilts.args(["-Djava.awt.headless=true", "-stilts", "tpipe", &input]);
        stilts.args(["omode=samp", "format=votable", &format!("client={NAME}")]);
        let run = tokio::task::spawn_blocking(move || stilts.output());
        let judge = our_table();
        let from_stilts = |r: &Received| r.2.ends_with("\"STILTS\"") && judge(&r.0).is_some();
        match tokio::join!(app.inbox.take(from_stilts), run) {
            (Ok(Received(got, _, how)), _) => Ok(format!("{} ({how})", judge(&got).unwrap()?)),
            (Err(e), run) => Err(format!("{e}; topcat -stilts: {run:?}")),
        }
    })
    .await;
}

pub(crate) async fn ds9(app: &App<'_>, files: &Files) {
    app.expect_ok("samp.app.ping", SampAppPing::new()).await;
    app.check("image.load.fits (missing file)", async {
        // DS9 answers samp.ok whatever happens to a load; its frame tells.
        ok(app.call(ImageLoadFits::new(MISSING_IMAGE)).await?)?;
        match app.ds9_get("file").await? {
            f if f.is_empty() => Ok("samp.ok (DS9 reports no load errors), no file shown".into()),
            f => Err(format!("samp.ok, but ds9.get file = {f:?}")),
        }
    })
    .await;
    app.check("image.load.fits", async {
        ok(app
            .call(ImageLoadFits::new(&files.image).name("probe"))
            .await?)?;
        let file = app.ds9_get("file").await?;
        let object = app.ds9_get("fits header keyword OBJECT").await?;
        match file == files.image_path && object == "SAMP-PROBE" {
            true => Ok(format!("samp.ok, ds9.get file = {file}, OBJECT = {object}")),
            false => Err(format!("ds9.get file = {file:?}, OBJECT = {object:?}")),
        }
    })
    .await;
    app.check("coord.pointAt.sky pans", async {
        ok(app.call(CoordPointAtSky::new(83.64, 22.02)).await?)?;
        let pan = app.ds9_get("pan wcs fk5 degrees").await?;
        let number = |x: Option<&str>| x.and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
        let mut words = pan.split_whitespace();
        let pan = at(number(words.next()), number(words.next()), (83.64, 22.02))?;
        Ok(format!("samp.ok, ds9.get pan: {pan}"))
    })
    .await;
    app.check("workaround: Tcl package xml (to read VOTables)", async {
        // Debian's DS9 8.4 does not load it, and then reads no VOTable (while it still
        // answers samp.ok): load it, and say so (README).
        let test = Ds9Set::new("tcl {if {[info commands xml::parser] eq {}} {error missing}}");
        if app.call(test).await?.is_ok() {
            return Ok("already loaded".into());
        }
        ok(app.call(Ds9Set::new("tcl {package require xml}")).await?)?;
        Ok("was missing: loaded with ds9.set tcl {package require xml}".into())
    })
    .await;
    let missing = TableLoadVotable::new(MISSING_TABLE);
    app.expect_ok("table.load.votable (missing file: DS9 says ok)", missing)
        .await;
    app.check("table.load.votable", async {
        let before = app.ds9_get("catalog").await?;
        ok(app
            .call(TableLoadVotable::new(&files.table).table_id("d1"))
            .await?)?;
        let after = app.ds9_get("catalog").await?;
        Ok(format!("samp.ok, ds9.get catalog: [{before}] -> [{after}]"))
    })
    .await;
    let highlight = TableHighlightRow::new(1u64).table_id("d1");
    app.expect_ok("table.highlight.row", highlight).await;
    let select = TableSelectRowList::new(vec![1u64, 3]).table_id("d1");
    app.expect_ok("table.select.rowList", select).await;
    env_check(app).await;
    let unknown = Ds9Set::new("no-such-command");
    app.expect_error("ds9.set unknown command", unknown).await;

    // DS9 sends images and its current catalog (`catalog samp send NAME` does not parse
    // in DS9 8.4), and where it looks after a pan. It sends no coord.pointAt.sky while it
    // handles a SAMP message (its samp(lock)), so the pan is queued with Tcl's `after` and
    // runs from the event loop, as a user's would.
    let send = Ds9Set::new(&format!("samp send image {NAME}"));
    app.expect_sent("sends image.load.fits (samp send image)", send, our_image())
        .await;
    let send = Ds9Set::new("samp broadcast image");
    app.expect_sent("sends image.load.fits (samp broadcast)", send, our_image())
        .await;
    let send = Ds9Set::new("catalog samp broadcast");
    app.expect_sent("sends table.load.votable (catalog samp)", send, our_table())
        .await;
    let pan = Ds9Set::new("tcl {after 300 {CommSet {} {pan to 83.63 22.0145 wcs fk5} 0}}");
    let here = point_at(83.63, 22.0145);
    app.expect_sent("sends coord.pointAt.sky (after a pan)", pan, here)
        .await;

    app.check("8 ds9.set notifications in a row", async {
        // Back to back: each `frame new` must arrive, and make a frame (DS9 closes the
        // connection after each answer; the hub's client must not lose the next one).
        let frames = async || Check::Ok(app.ds9_get("frame all").await?.split(' ').count());
        let before = frames().await?;
        for _ in 0..8 {
            app.notify(Ds9Set::new("frame new")).await?;
        }
        let mut after = before;
        for _ in 0..20 {
            // DS9 makes them one by one; a count may meet a closing connection too.
            tokio::time::sleep(Duration::from_millis(250)).await;
            after = frames().await.unwrap_or(after);
            if after >= before + 8 {
                break;
            }
        }
        match after - before {
            8 => Ok(format!("8 new frames ({before} -> {after})")),
            n => Err(format!(
                "{n} of 8 arrived ({before} -> {after} frames); samp-hub logs `callback \
                 failed ... Connection reset by peer` for the rest (README: samp-hub and DS9)"
            )),
        }
    })
    .await;
}

pub(crate) async fn aladin(app: &App<'_>, files: &Files) {
    app.expect_ok("samp.app.ping", SampAppPing::new()).await;
    let load = ImageLoadFits::new(&files.image).name("probe-image");
    app.expect_ok("image.load.fits", load).await;
    let missing = ImageLoadFits::new(MISSING_IMAGE).name("missing");
    app.expect_error("image.load.fits (missing file)", missing)
        .await;
    let load = TableLoadVotable::new(&files.table).table_id("a2");
    app.expect_ok("table.load.votable", load.name("probe-table"))
        .await;
    let missing = TableLoadVotable::new(MISSING_TABLE).name("missing");
    app.expect_error("table.load.votable (missing file)", missing)
        .await;
    app.check("the loads are planes (script status)", async {
        let status = app.request(AladinScript::new("status")).await?.text;
        let planes: Vec<&str> = status.split("\n\n").collect();
        let plane = |a: &str, b: &str| planes.iter().any(|p| p.contains(a) && p.contains(b));
        let image = plane("PlaneID probe-image", &files.image_path);
        let table = plane("PlaneID probe-table", "NbObj   5");
        match image && table {
            true => Ok("probe-image (Url our file), probe-table (NbObj 5)".into()),
            false => Err(format!(
                "image plane {image}, table plane {table}: {status:?}"
            )),
        }
    })
    .await;
    app.check("coord.pointAt.sky moves the view", async {
        ok(app.call(CoordPointAtSky::new(83.64, 22.02)).await?)?;
        let centre = app.request(CoordGetSky::new()).await?;
        let centre = at(centre.ra, centre.dec, (83.64, 22.02))?;
        Ok(format!("samp.ok, coord.get.sky: {centre}"))
    })
    .await;
    let highlight = TableHighlightRow::new(1u64).table_id("a2");
    app.expect_ok("table.highlight.row", highlight).await;
    let select = TableSelectRowList::new(vec![1u64, 3]).table_id("a2");
    app.expect_ok("table.select.rowList", select).await;

    // Aladin sends coord.pointAt.sky when a script moves the view. The script goes as a
    // notification: as a call, a position command faults inside Aladin (README).
    app.check("sends coord.pointAt.sky (script moves the view)", async {
        app.notify(AladinScript::new("83.62 22.01")).await?;
        app.sent(point_at(83.62, 22.01)).await
    })
    .await;
}
