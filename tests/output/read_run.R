# The R examples of output/SCHEMA.md, on the synthetic run written by
# khorgos_write_synthetic: Rscript read_run.R RUN.h5
# Exits 77 (skipped) when hdf5r or ncdf4 is not installed, or 1 (failed) with
# KHORGOS_REQUIRE_DEPENDENCIES=1, where scripts/setup has installed them.
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
for (package in c("hdf5r", "ncdf4")) {
  if (!requireNamespace(package, quietly = TRUE)) {
    message("R package ", package, " not installed (r-cran-", package, ")")
    quit(status = if (Sys.getenv("KHORGOS_REQUIRE_DEPENDENCIES") == "1") 1 else 77)
  }
}

# hdf5r: plain HDF5. R lists dimensions fastest-first, so axes come reversed.
library(hdf5r)
f <- H5File$new(path, mode = "r")
stock <- f[["daily/stock"]]$read()
stopifnot(identical(dim(stock), c(3L, 5L, 40L)))
dimnames(stock) <- list(region = f[["region_name"]]$read(),
                        agent_type = f[["agent_type_name"]]$read(),
                        time = format(as.Date("1990-01-01") + f[["time"]]$read()))
stopifnot(stock["almaty", "visitor", "2010-01-02"] == 0.25 * (15 + 3))
obs <- f[["observables"]]
observables <- data.frame(id = obs[["id"]]$read(), period = obs[["period"]]$read(),
                          value = obs[["value"]]$read(), units = obs[["units"]]$read())
stopifnot(observables$value[observables$id == "nsc_visitors_cn" &
                              observables$period == "2010"] == 134900)
stopifnot(h5attr(f, "git_commit") == "0123456789ab")
stopifnot(h5attr(f, "threads") == 2)
events <- f[["events"]]
to <- events[["to_place_index"]][1:3]
stopifnot(identical(as.integer(to), c(-1L, 2L, 5L)))
places <- f[["place_name"]]$read()
stopifnot(places[to[2] + 1] == "khorgos")  # indices are 0-based
f$close_all()

# ncdf4: the netCDF view, groups as "group/variable".
library(ncdf4)
nc <- nc_open(path)
stopifnot(ncatt_get(nc, 0, "Conventions")$value == "CF-1.8")
# The seed 2^64 - 8 exactly: ncdf4 reads the uint64 attribute as a double
# (rounded), its text twin as written.
stopifnot(ncatt_get(nc, 0, "seed_text")$value == "18446744073709551608")
stopifnot(ncatt_get(nc, "time", "axis")$value == "T")
# Labels: the auxiliary coordinate NAME_name beside the dimension's index.
stopifnot(ncvar_get(nc, "region_name") == c("almaty", "zhetysu", "Алматы облысы"))
stopifnot(ncatt_get(nc, "daily/stock", "coordinates")$value == "agent_type_name region_name")
flow <- ncvar_get(nc, "daily/flow")
stopifnot(identical(dim(flow), c(2L, 2L, 5L, 40L)))
stopifnot(ncatt_get(nc, "daily/flow", "units")$value == "persons/day")
# CF time cells: the bounds [start, end] of each step, [nv, time] in R.
stopifnot(ncatt_get(nc, "time", "bounds")$value == "time_bnds")
bounds <- ncvar_get(nc, "time_bnds")
stopifnot(identical(dim(bounds), c(2L, 40L)), bounds[2, ] == ncvar_get(nc, "time"))
stopifnot(ncatt_get(nc, "daily/stock", "cell_methods")$value == "time: point")
kind <- ncvar_get(nc, "events/event_kind_index", start = 1, count = 10)
stopifnot(identical(as.integer(kind), c(0:7, 0:1)))
nc_close(nc)
cat("R readers: ok\n")
