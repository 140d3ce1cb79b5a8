acc + x.arr[1] + tag.length
