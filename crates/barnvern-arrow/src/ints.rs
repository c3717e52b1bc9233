//! Integer columns of any width as `i64` values: questionnaire responses and ages arrive as
//! whatever integer type the producer chose (pandas int64, polars int8, Parquet int32, ...).

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType;
use barnvern_outcomes::columnar::{IntColumn, IntValues, Validity};

/// Whether a column of this type can be read by [`int_column`]: any integer type, or an
/// all-null column.
pub fn is_integer(data_type: &DataType) -> bool {
    data_type.is_integer() || *data_type == DataType::Null
}

fn ints<T: ArrowPrimitiveType>(array: &dyn Array) -> Vec<Option<i64>>
where
    T::Native: Into<i64>,
{
    array
        .as_primitive::<T>()
        .iter()
        .map(|v| v.map(Into::into))
        .collect()
}

/// An integer column as `i64` values, `None` for nulls; `None` when the column is not of an
/// integer type (check with [`is_integer`] first to report it). An unsigned 64-bit value above
/// `i64::MAX` becomes `i64::MAX`, which no instrument has as a response option, so it is
/// reported as out of range rather than wrapped.
pub fn int_column(array: &dyn Array) -> Option<Vec<Option<i64>>> {
    Some(match array.data_type() {
        DataType::Int8 => ints::<Int8Type>(array),
        DataType::Int16 => ints::<Int16Type>(array),
        DataType::Int32 => ints::<Int32Type>(array),
        DataType::Int64 => ints::<Int64Type>(array),
        DataType::UInt8 => ints::<UInt8Type>(array),
        DataType::UInt16 => ints::<UInt16Type>(array),
        DataType::UInt32 => ints::<UInt32Type>(array),
        DataType::UInt64 => array
            .as_primitive::<UInt64Type>()
            .iter()
            .map(|v| v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
            .collect(),
        DataType::Null => vec![None; array.len()],
        _ => return None,
    })
}

/// An integer column borrowed as it is stored, for the columnar scorer: the values in their own
/// width and the validity bitmap, no copy. `None` when the column is not of an integer type (an
/// all-null column included: it holds no answer, so a caller leaves it out).
pub fn int_view(array: &dyn Array) -> Option<IntColumn<'_>> {
    fn values<T: ArrowPrimitiveType>(array: &dyn Array) -> &[T::Native] {
        array.as_primitive::<T>().values()
    }
    let values = match array.data_type() {
        DataType::Int8 => IntValues::I8(values::<Int8Type>(array)),
        DataType::Int16 => IntValues::I16(values::<Int16Type>(array)),
        DataType::Int32 => IntValues::I32(values::<Int32Type>(array)),
        DataType::Int64 => IntValues::I64(values::<Int64Type>(array)),
        DataType::UInt8 => IntValues::U8(values::<UInt8Type>(array)),
        DataType::UInt16 => IntValues::U16(values::<UInt16Type>(array)),
        DataType::UInt32 => IntValues::U32(values::<UInt32Type>(array)),
        DataType::UInt64 => IntValues::U64(values::<UInt64Type>(array)),
        _ => return None,
    };
    let validity = array
        .nulls()
        .filter(|n| n.null_count() > 0)
        .map(|n| Validity::new(n.validity(), n.offset()));
    Some(IntColumn::new(values, validity))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int8Array, NullArray, UInt64Array};

    use super::*;

    #[test]
    fn every_width_nulls_and_refusals() {
        let a: ArrayRef = Arc::new(Int8Array::from(vec![Some(1), None, Some(-2)]));
        assert_eq!(int_column(&a), Some(vec![Some(1), None, Some(-2)]));
        let big: ArrayRef = Arc::new(UInt64Array::from(vec![u64::MAX]));
        assert_eq!(int_column(&big), Some(vec![Some(i64::MAX)]));
        let nulls: ArrayRef = Arc::new(NullArray::new(2));
        assert_eq!(int_column(&nulls), Some(vec![None, None]));
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![1.0]));
        assert!(!is_integer(floats.data_type()));
        assert_eq!(int_column(&floats), None);
    }
}
