#ifndef NEUROSWIFT_CHDF5_SHIM_H
#define NEUROSWIFT_CHDF5_SHIM_H
#include <hdf5.h>
/* HDF5's type ids, file flags and property-list classes are macros over globals that are -1 until
   H5open() runs and that Swift 6 refuses to read; these accessors import cleanly and call H5open. */
static inline hid_t chdf5_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int8(void)   { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_native_int16(void)  { return H5T_NATIVE_INT16; }
static inline hid_t chdf5_native_int32(void)  { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_native_uint8(void)  { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t chdf5_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_native_hbool(void)  { return H5T_NATIVE_HBOOL; }
static inline hid_t chdf5_c_s1(void)          { return H5T_C_S1; }
static inline hid_t chdf5_std_ref_obj(void)   { return H5T_STD_REF_OBJ; }

static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_acc_rdwr(void)   { return H5F_ACC_RDWR; }
static inline unsigned chdf5_acc_trunc(void)  { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_excl(void)   { return H5F_ACC_EXCL; }

static inline hid_t chdf5_p_file_create(void)    { return H5P_FILE_CREATE; }
static inline hid_t chdf5_p_file_access(void)    { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_link_create(void)    { return H5P_LINK_CREATE; }
static inline hid_t chdf5_p_group_create(void)   { return H5P_GROUP_CREATE; }

static inline hsize_t chdf5_s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t  chdf5_t_variable(void)  { return H5T_VARIABLE; }

/* Explicit-byte-order standard types: files written elsewhere (MATLAB, big-endian machines) store
   these, and tests create them to check that reads convert to native order. */
static inline hid_t chdf5_std_i8le(void)   { return H5T_STD_I8LE; }
static inline hid_t chdf5_std_i16le(void)  { return H5T_STD_I16LE; }
static inline hid_t chdf5_std_i32le(void)  { return H5T_STD_I32LE; }
static inline hid_t chdf5_std_i64le(void)  { return H5T_STD_I64LE; }
static inline hid_t chdf5_std_u8le(void)   { return H5T_STD_U8LE; }
static inline hid_t chdf5_std_u16le(void)  { return H5T_STD_U16LE; }
static inline hid_t chdf5_std_u32le(void)  { return H5T_STD_U32LE; }
static inline hid_t chdf5_std_u64le(void)  { return H5T_STD_U64LE; }
static inline hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_std_i8be(void)   { return H5T_STD_I8BE; }
static inline hid_t chdf5_std_i16be(void)  { return H5T_STD_I16BE; }
static inline hid_t chdf5_std_i32be(void)  { return H5T_STD_I32BE; }
static inline hid_t chdf5_std_i64be(void)  { return H5T_STD_I64BE; }
static inline hid_t chdf5_std_u8be(void)   { return H5T_STD_U8BE; }
static inline hid_t chdf5_std_u16be(void)  { return H5T_STD_U16BE; }
static inline hid_t chdf5_std_u32be(void)  { return H5T_STD_U32BE; }
static inline hid_t chdf5_std_u64be(void)  { return H5T_STD_U64BE; }
static inline hid_t chdf5_ieee_f32be(void) { return H5T_IEEE_F32BE; }
static inline hid_t chdf5_ieee_f64be(void) { return H5T_IEEE_F64BE; }
static inline hid_t chdf5_std_ref_dsetreg(void) { return H5T_STD_REF_DSETREG; }

static inline hid_t chdf5_p_link_access(void)     { return H5P_LINK_ACCESS; }
static inline hid_t chdf5_p_dataset_xfer(void)    { return H5P_DATASET_XFER; }
static inline hid_t chdf5_p_attribute_create(void){ return H5P_ATTRIBUTE_CREATE; }

/* Object-info field masks (1.10.3+ H5Oget_info*2) and the default error stack, as typed values. */
static inline unsigned chdf5_o_info_basic(void)     { return H5O_INFO_BASIC; }
static inline unsigned chdf5_o_info_num_attrs(void) { return H5O_INFO_NUM_ATTRS; }
static inline hid_t    chdf5_e_default(void)        { return H5E_DEFAULT; }
static inline hid_t    chdf5_p_default(void)        { return H5P_DEFAULT; }
static inline hid_t    chdf5_s_all(void)            { return H5S_ALL; }
static inline H5Z_filter_t chdf5_z_filter_deflate(void)    { return H5Z_FILTER_DEFLATE; }
static inline H5Z_filter_t chdf5_z_filter_shuffle(void)    { return H5Z_FILTER_SHUFFLE; }
static inline H5Z_filter_t chdf5_z_filter_fletcher32(void) { return H5Z_FILTER_FLETCHER32; }
static inline H5Z_filter_t chdf5_z_filter_szip(void)       { return H5Z_FILTER_SZIP; }
static inline H5Z_filter_t chdf5_z_filter_nbit(void)       { return H5Z_FILTER_NBIT; }
static inline H5Z_filter_t chdf5_z_filter_scaleoffset(void){ return H5Z_FILTER_SCALEOFFSET; }

/* Turns off HDF5's automatic error-stack printing. It is per thread in the thread-safe build,
   so every wrapper entry point calls it. */
static inline herr_t chdf5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
