#include "output/layout.hpp"

#include <cstdio>

namespace khorgos::output::layout {

std::string dimension_without_variable(std::size_t length) {
    // Same text and width as netCDF-C writes ("%10d"); netCDF-C reads the
    // length from the dataspace, the number is informative only.
    char buffer[96];
    std::snprintf(buffer, sizeof buffer,
                  "This is a netCDF dimension but not a netCDF variable.%10zu", length);
    return buffer;
}

hid_t file_type(Scalar type) {
    switch (type) {
    case Scalar::i8:
        return H5T_STD_I8LE;
    case Scalar::u8:
        return H5T_STD_U8LE;
    case Scalar::i16:
        return H5T_STD_I16LE;
    case Scalar::i32:
        return H5T_STD_I32LE;
    case Scalar::u32:
        return H5T_STD_U32LE;
    }
    return H5I_INVALID_HID;
}

hid_t memory_type(Scalar type) {
    switch (type) {
    case Scalar::i8:
        return H5T_NATIVE_INT8;
    case Scalar::u8:
        return H5T_NATIVE_UINT8;
    case Scalar::i16:
        return H5T_NATIVE_INT16;
    case Scalar::i32:
        return H5T_NATIVE_INT32;
    case Scalar::u32:
        return H5T_NATIVE_UINT32;
    }
    return H5I_INVALID_HID;
}

std::size_t size_of(Scalar type) {
    switch (type) {
    case Scalar::i8:
    case Scalar::u8:
        return 1;
    case Scalar::i16:
        return 2;
    case Scalar::i32:
    case Scalar::u32:
        return 4;
    }
    return 0;
}

} // namespace khorgos::output::layout
