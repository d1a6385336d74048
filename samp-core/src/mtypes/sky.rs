//! Images, sky coverage and sky positions (SAMP.md §8.2).

vocabulary! {
    /// Load a 2-D FITS image given by URL.
    ImageLoadFits = "image.load.fits" -> () {
        required {
            /// URL of the FITS image.
            url: String = "url",
        }
        optional {
            /// Identifier for referring to this image in later messages.
            image_id: String = "image-id",
            /// Label for the image in the receiver's interface.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Load a Multi-Order Coverage map (MOC) given as a FITS file at a URL.
    CoverageLoadMocFits = "coverage.load.moc.fits" -> () {
        required {
            /// URL of the FITS file holding the MOC.
            url: String = "url",
        }
        optional {
            /// Identifier for referring to this coverage in later messages.
            coverage_id: String = "coverage-id",
            /// Label for the coverage in the receiver's interface.
            name: String = "name",
        }
    }
}

vocabulary! {
    /// Direct attention to a sky position: move a cursor, pan the view. The vocabulary names
    /// no frame; the values are ordinary equatorial coordinates (conventionally ICRS).
    CoordPointAtSky = "coord.pointAt.sky" -> () {
        required {
            /// Right ascension in degrees.
            ra: f64 = "ra",
            /// Declination in degrees.
            dec: f64 = "dec",
        }
        optional {}
    }
}
