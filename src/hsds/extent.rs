//! A service area's `extent` is checked against its `extent_type`, so a client that
//! trusts the type (and hands GeoJSON to a map) is never handed something else.

/// Why `extent` is not an `extent_type` extent, if it is not.
pub fn check(extent: &str, extent_type: &str) -> Result<(), String> {
    let json = || serde_json::from_str::<serde_json::Value>(extent).ok();
    let json_type = |value: &serde_json::Value| {
        value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    match extent_type.to_ascii_lowercase().as_str() {
        "geojson" => match json().as_ref().and_then(json_type) {
            Some(kind) if GEOJSON_TYPES.contains(&kind.as_str()) => Ok(()),
            Some(kind) => Err(format!(
                "is GeoJSON-like JSON of type {kind:?}, not a GeoJSON object"
            )),
            None => Err("is not GeoJSON (a JSON object with a GeoJSON \"type\")".into()),
        },
        "topojson" => match json().as_ref().and_then(json_type) {
            Some(kind) if kind == "Topology" => Ok(()),
            _ => Err("is not TopoJSON (a JSON object of \"type\": \"Topology\")".into()),
        },
        "kml" => {
            let text = extent.trim_start();
            if text.starts_with('<') && text.contains("<kml") {
                Ok(())
            } else {
                Err("is not KML (an XML document with a <kml> element)".into())
            }
        }
        "text" => Ok(()),
        other => Err(format!("has an unknown extent_type {other:?}")),
    }
}

/// Whether a GeoJSON `extent` covers the position (`longitude`, `latitude`), its
/// boundary included; `false` when it is not GeoJSON.
pub fn covers(extent: &str, longitude: f64, latitude: f64) -> bool {
    use geo::Intersects;
    let Ok(geojson) = extent.parse::<geojson::GeoJson>() else {
        return false;
    };
    let Ok(shapes) = geo::GeometryCollection::<f64>::try_from(&geojson) else {
        return false;
    };
    let point = geo::Point::new(longitude, latitude);
    shapes.iter().any(|shape| shape.intersects(&point))
}

const GEOJSON_TYPES: &[&str] = &[
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
    "Feature",
    "FeatureCollection",
];

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn geojson_extents_cover_points_inside_and_on_their_boundary() {
        use super::covers;
        let square =
            r#"{"type":"Polygon","coordinates":[[[-2,53],[-1,53],[-1,54],[-2,54],[-2,53]]]}"#;
        assert!(covers(square, -1.5, 53.8));
        assert!(covers(square, -1.0, 53.5));
        assert!(!covers(square, -0.5, 53.8));
        let feature = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{square}}}]}}"#
        );
        assert!(covers(&feature, -1.5, 53.8));
        assert!(!covers("Leeds", -1.5, 53.8));
    }

    #[test]
    fn extents_must_be_what_they_claim() {
        let polygon = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#;
        assert!(check(polygon, "geojson").is_ok());
        assert!(check("Leeds", "geojson").is_err());
        assert!(check(polygon, "topojson").is_err());
        assert!(check(r#"{"type":"Topology","objects":{}}"#, "topojson").is_ok());
        assert!(check("<?xml version=\"1.0\"?><kml></kml>", "kml").is_ok());
        assert!(check(polygon, "kml").is_err());
        assert!(check("All of West Yorkshire", "text").is_ok());
    }
}
