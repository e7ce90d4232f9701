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

/* Turns off HDF5's automatic error-stack printing. It is per thread in the thread-safe build,
   so every wrapper entry point calls it. */
static inline herr_t chdf5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
